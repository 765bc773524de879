"""The weekly sales digest's pages: a trainer reviews and publishes; agents read it in My training
and on the console (published only); team leads see their site beside the company."""

import pytest

from campaigns.choices import ChannelKind
from cvm_portal.roles import Role
from tests.training.test_digest import BUILT, STORE, WEEK, items, world  # noqa: F401 - a fixture
from training import digest
from training.choices import DigestSection, DigestStatus
from training.models import WeeklyDigest

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):  # noqa: F811 - the fixture imported above
    return digest.build_digest(week_start=WEEK, now=BUILT)


@pytest.fixture
def published(draft, trainer):
    digest.save_review(digest=draft, comment="Open with the data pack.", hidden_ids=[], by=trainer)
    digest.publish_digest(digest=draft, by=trainer)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def store_agent(make_user, world):  # noqa: F811
    return make_user(Role.AGENT, site=world["s1"], username="anna")


@pytest.fixture
def lead(make_user, world):  # noqa: F811
    return make_user(Role.TEAM_LEAD, site=world["s1"], username="lena")


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- agents --------------------------------------------------------------------------------


def test_an_agent_reads_the_published_digest_of_their_channel_in_my_training(
    client, store_agent, published
):
    content = page(client, store_agent, "/training/mine/").content.decode()

    assert "Sales digest · week 2026-W14" in content
    assert "Open with the data pack." in content
    assert content.index("Data pack") < content.index("Fibre switch") < content.index("TV plus")
    assert "50% accepted (15 of 30)" in content
    assert "On the phone: fibre." not in content  # the inbound section is not theirs
    assert f'href="/training/digests/{published.pk}/"' in content


def test_an_agent_never_sees_a_draft(client, store_agent, draft):
    assert "No digest yet" in page(client, store_agent, "/training/mine/").content.decode()
    assert client.get(f"/training/digests/{draft.pk}/").status_code == 404
    assert "2026-W14" not in client.get("/training/digests/").content.decode()


def test_the_console_shows_the_digest_card_before_a_customer_is_found(
    client, store_agent, published
):
    content = page(client, store_agent, "/console/").content.decode()

    assert "Sales digest · week 2026-W14" in content and "Data pack" in content
    assert "Most heard objection:" in content and "Too expensive" in content


def test_my_training_with_the_digest_card_takes_a_fixed_number_of_queries(
    client, store_agent, published, django_assert_num_queries
):
    client.force_login(store_agent)
    client.get("/training/mine/")
    # session, user, roles, profile, the guide groups (3), the digest and its trainer, its items
    with django_assert_num_queries(9):
        client.get("/training/mine/")


def test_items_a_trainer_hid_are_not_shown_to_agents(client, store_agent, trainer, draft):
    tv = items(draft, STORE)[2]
    digest.save_review(digest=draft, comment="", hidden_ids=[tv.pk], by=trainer)
    digest.publish_digest(digest=draft, by=trainer)

    assert (
        "TV plus"
        not in page(client, store_agent, f"/training/digests/{draft.pk}/").content.decode()
    )
    trainer_view = page(client, trainer, f"/training/digests/{draft.pk}/").content.decode()
    assert "TV plus" in trainer_view and "hidden from agents" in trainer_view


# --- team leads ----------------------------------------------------------------------------


def test_a_team_lead_sees_their_sites_figures_beside_the_companys(client, lead, published):
    content = page(client, lead, f"/training/digests/{published.pk}/").content.decode()

    assert "Accepted at Warsaw Centre" in content
    assert "40% (16 of 40)" in content and "50% (10 of 20)" in content  # Fibre: all, S1
    assert "Kraków Old Town" not in content
    assert "60% of its contacts" not in content
    assert "13.5% (7 of 52)" in content  # price objections at S1


def test_the_digest_page_reads_in_a_fixed_number_of_queries(
    client, lead, published, django_assert_num_queries
):
    url = f"/training/digests/{published.pk}/"
    page(client, lead, url)
    # session, user, roles, profile, digest, items, site names, earlier digests
    with django_assert_num_queries(8):
        client.get(url)


# --- trainers ------------------------------------------------------------------------------


def test_a_trainer_comments_hides_and_publishes(client, trainer, store_agent, draft):
    tv = items(draft, STORE)[2]
    client.force_login(trainer)
    response = client.post(
        f"/training/digests/{draft.pk}/review/",
        {"comment": "Try the data pack first.", "hidden": [tv.pk], "action": "publish"},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.published_by, draft.commented_by) == (
        DigestStatus.PUBLISHED,
        trainer,
        trainer,
    )
    content = page(client, store_agent, "/training/mine/").content.decode()
    assert "Try the data pack first." in content and "TV plus" not in content


def test_saving_keeps_the_draft_and_says_when_it_goes_out(client, trainer, draft):
    client.force_login(trainer)
    response = client.post(
        f"/training/digests/{draft.pk}/review/",
        {"comment": "Draft words", "action": "save"},
        follow=True,
    )

    draft.refresh_from_db()
    assert (draft.status, draft.comment) == (DigestStatus.DRAFT, "Draft words")
    assert "goes out by itself" in response.content.decode()


def test_the_review_page_shows_the_form_only_on_a_draft(client, trainer, draft):
    url = f"/training/digests/{draft.pk}/"
    assert "Hide from agents" in page(client, trainer, url).content.decode()
    digest.publish_digest(digest=draft, by=trainer)
    assert "Hide from agents" not in client.get(url).content.decode()


def test_a_published_digest_can_no_longer_be_changed(client, trainer, published):
    client.force_login(trainer)
    response = client.post(
        f"/training/digests/{published.pk}/review/",
        {"comment": "Changed", "action": "save"},
        follow=True,
    )

    assert "can no longer change" in response.content.decode()
    published.refresh_from_db()
    assert published.comment == "Open with the data pack."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comment": "x" * 2001, "action": "save"}, "at most 2000 characters"),
        ({"comment": "", "hidden": ["999999"], "action": "save"}, "not in this digest"),
        ({"comment": "", "action": "delete"}, "Select a valid choice"),
    ],
)
def test_a_bad_review_is_refused_with_a_clear_message(client, trainer, draft, data, message):
    client.force_login(trainer)
    response = client.post(f"/training/digests/{draft.pk}/review/", data)

    assert response.status_code == 422
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == DigestStatus.DRAFT


def test_a_cvm_manager_may_review_too(client, make_user, draft):
    client.force_login(make_user(Role.CVM_MANAGER))
    client.post(f"/training/digests/{draft.pk}/review/", {"comment": "", "action": "publish"})

    draft.refresh_from_db()
    assert draft.is_published


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_agents_and_team_leads_may_not_review(client, make_user, draft, role):
    client.force_login(make_user(role))
    response = client.post(f"/training/digests/{draft.pk}/review/", {"action": "publish"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published


def test_the_review_takes_post_only_and_anonymous_people_sign_in_first(client, trainer, draft):
    url = f"/training/digests/{draft.pk}/review/"
    assert client.get(url).status_code in (302, 405)
    assert "/login" in client.post(url, {"action": "publish"}).url
    client.force_login(trainer)
    assert client.get(url).status_code == 405


def test_an_unknown_digest_is_not_found(client, trainer):
    assert page(client, trainer, "/training/digests/12345/").status_code == 404


def test_a_trainer_drafts_last_weeks_digest_from_the_empty_list(client, trainer, eager_tasks):
    content = page(client, trainer, "/training/digests/").content.decode()
    assert "No digest yet: the first one is built on Monday" in content

    response = client.post("/training/digests/build/", follow=True)

    made = WeeklyDigest.objects.get()
    assert made.week_start == digest.last_week() and not made.is_published
    assert made.week_label in response.content.decode()
    assert "Draft it now" not in response.content.decode()


def test_the_navigation_leads_trainers_and_team_leads_to_the_digests(client, trainer, lead):
    assert 'href="/training/digests/"' in page(client, trainer, "/training/").content.decode()
    assert 'href="/training/digests/"' in page(client, lead, "/training/mine/").content.decode()


def test_inbound_agents_read_their_own_channel(client, make_user, world, published):  # noqa: F811
    agent = make_user(Role.AGENT, site=world["s1"], channel_kind=ChannelKind.INBOUND_CALL)

    content = page(client, agent, "/training/mine/").content.decode()

    assert "what sold best in Inbound call" in content and "90% accepted (9 of 10)" in content
    assert published.items.filter(section=DigestSection.OFFER, channel_kind=STORE).exists()
    assert "Data pack" not in content
