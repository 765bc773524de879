"""Guide titles kept in Polish and English: agents read their language, marked when it fell back."""

import pytest

from tests.factories import make_guide

pytestmark = pytest.mark.django_db


def test_a_published_version_keeps_both_titles_whoever_publishes():
    guide = make_guide(title_en="Fibre: the pitch", title_pl="Światłowód: jak proponować")
    version = guide.current_version
    assert (version.title_en, version.title_pl) == (
        "Fibre: the pitch",
        "Światłowód: jak proponować",
    )


def test_agents_read_the_guide_title_in_their_language(client, agent):
    make_guide(title_en="Fibre: the pitch", title_pl="Światłowód: jak proponować")
    client.force_login(agent)
    polish = client.get("/training/mine/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    english = client.get("/training/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>Światłowód: jak proponować</strong>" in polish
    assert "<strong>Fibre: the pitch</strong>" in english


def test_a_title_written_in_english_only_is_marked_english_on_a_polish_page(client, agent):
    guide = make_guide(title_en="Roaming: what to say")
    client.force_login(agent)
    polish = client.get("/training/mine/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<strong><span lang="en">Roaming: what to say</span></strong>' in polish
    page = client.get(f"/training/mine/{guide.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<h1 id="guide-h"><span lang="en">Roaming: what to say</span></h1>' in page
