"""Small things a user notices: the tab's title and icon, a count in the right number, and
symbols that show as empty boxes where no emoji font is installed."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from campaigns.choices import FeedbackReason
from campaigns.feedback import send_feedback
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, OfferFactory, make_guide, presented
from training.choices import QuestionKind
from training.publishing import add_question, publish_guide

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Characters that need an emoji font (Emoji_Presentation): everything from U+1F000 on, the
# emoji variation selector, and the few in the BMP that default to emoji (✅ ❌ ⭐ ⚡ …).
# ✓ and ✗ are ordinary text symbols (DejaVu and every system font have them).
EMOJI = re.compile(
    "[\U0001f000-\U0001ffff\ufe0f\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615"
    "\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea"
    "\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757"
    "\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55]"
)


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def test_the_browser_asking_for_favicon_ico_is_sent_to_the_portal_icon(client):
    # Given nobody signed in (browsers ask for the icon before anything else)
    # When the browser asks for /favicon.ico
    answer = client.get("/favicon.ico")

    # Then it is sent to the icon, which is there
    assert answer.status_code in (301, 302)
    assert answer["Location"] == "/static/favicon.svg"
    icon = client.get(answer["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)


def test_every_page_names_its_icon(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_the_training_home_tab_says_training_and_its_programmes_show_once(client, make_user):
    # Given a trainer
    client.force_login(make_user(Role.TRAINER))

    # When they open the training home
    page = client.get("/training/").content.decode()

    # Then the tab says only where they are, and the programmes are on the page, once
    assert title_of(page) == "Training · CVM Portal"
    assert page.count("Programmes agents need to know") == 1
    assert page.index("Programmes agents need to know") > page.index("<main")


def test_a_quiz_of_one_question_says_one_question(client, make_user):
    # Given an agent assigned a guide whose quiz has a single question
    agent = make_user(Role.AGENT)
    guide = make_guide(questions=False, publish=False)
    add_question(
        guide=guide,
        text="Who is it for?",
        kind=QuestionKind.SINGLE,
        choices=[("Mobile customers without fibre", True), ("Everyone", False)],
    )
    publish_guide(guide=guide, by=None, material=True)
    client.force_login(agent)

    # When the agent opens the guide
    page = client.get(f"/training/mine/{guide.pk}/").content.decode()

    # Then the quiz is announced in the singular
    assert "1 question · pass mark" in page
    assert "1 questions" not in page


def test_a_quiz_of_two_questions_says_two_questions(client, make_user):
    agent = make_user(Role.AGENT)
    guide = make_guide()
    client.force_login(agent)
    assert "2 questions · pass mark" in client.get(f"/training/mine/{guide.pk}/").content.decode()


def test_the_feedback_inbox_says_useful_or_not_in_words_not_emoji(client, make_user):
    # Given an agent's feedback on two offers: one useful, one not
    agent = make_user(Role.AGENT)
    offers = [OfferFactory(title="Fibre switch"), OfferFactory(title="Roaming pack")]
    campaign = CampaignFactory(offers=offers)
    shown = presented(agent, offers, campaign, when=timezone.now())
    send_feedback(presentation=shown[0], agent=agent, useful=True)
    send_feedback(presentation=shown[1], agent=agent, useful=False, reason=FeedbackReason.values[0])
    client.force_login(make_user(Role.CVM_MANAGER))

    # When a CVM manager opens the feedback inbox
    page = client.get("/cvm/feedback/").content.decode()

    # Then each says useful or not in words, with no glyph that needs an emoji font
    assert "Useful" in page and "Not useful" in page
    assert not EMOJI.findall(page)


def test_no_template_uses_a_symbol_that_needs_an_emoji_font():
    found = {
        str(path.relative_to(TEMPLATES)): EMOJI.findall(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: chars for name, chars in found.items() if chars} == {}
