"""My training: an agent's own guides, sorted by what is due; nobody reads another's."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.choices import ChannelKind
from cvm_portal.roles import Role
from tests.factories import make_guide, quiz_post, right_answers
from training.models import Assignment, Completion

pytestmark = pytest.mark.django_db


def test_my_training_sorts_guides_into_overdue_due_soon_assigned_and_completed(client, agent):
    overdue, soon, later, done = (
        make_guide(title=t) for t in ("Overdue one", "Soon one", "Later one", "Done one")
    )
    now = timezone.now()
    Assignment.objects.filter(guide=overdue).update(due_at=now - timedelta(days=1))
    Assignment.objects.filter(guide=soon).update(due_at=now + timedelta(days=1))
    client.force_login(agent)
    client.post(f"/training/mine/{done.pk}/acknowledge/")
    client.post(f"/training/mine/{done.pk}/quiz/", quiz_post(right_answers(done)))
    body = client.get("/training/mine/").content.decode()
    sections = {
        name: body.index(f'id="group-{name}"')
        for name in ("overdue", "due-soon", "assigned", "completed")
    }
    assert sections["overdue"] < body.index("Overdue one") < sections["due-soon"]
    assert sections["due-soon"] < body.index("Soon one") < sections["assigned"]
    assert sections["assigned"] < body.index("Later one") < sections["completed"]
    assert sections["completed"] < body.index("Done one")


def test_an_agent_with_nothing_assigned_is_told_what_to_expect(client, agent):
    client.force_login(agent)
    assert "Nothing is assigned to you" in client.get("/training/mine/").content.decode()


def test_an_agent_reads_acknowledges_and_passes_and_progress_is_kept(client, agent):
    guide = make_guide()
    client.force_login(agent)
    page = client.get(f"/training/mine/{guide.pk}/").content.decode()
    assert "Mobile customers <strong>without fibre</strong>" in page
    assert "I have read and understood this guide" in page
    assert Assignment.objects.get(user=agent).opened_at is not None
    response = client.post(f"/training/mine/{guide.pk}/acknowledge/", follow=True)
    assert "Now take the quiz to complete the guide." in response.content.decode()
    client = Client()  # another device, a new session: progress is where it was
    client.force_login(agent)
    page = client.get(f"/training/mine/{guide.pk}/").content.decode()
    assert "Acknowledged" in page and "Take the quiz" in page
    client.post(f"/training/mine/{guide.pk}/quiz/", quiz_post(right_answers(guide)))
    completion = Completion.objects.get(user=agent)
    assert completion.completed_at is not None and completion.score == 100
    assert "Completed" in client.get(f"/training/mine/{guide.pk}/").content.decode()


def test_agents_see_only_guides_assigned_to_them(client, agent, make_user, other_site):
    elsewhere = make_guide(title="Another site's guide", site_ids=[other_site.pk])
    calls = make_guide(title="Call-centre guide", channel_kinds=[ChannelKind.INBOUND_CALL])
    draft = make_guide(title="Draft guide", publish=False)
    client.force_login(agent)
    body = client.get("/training/mine/").content.decode()
    for guide in (elsewhere, calls, draft):
        assert guide.title not in body
        assert client.get(f"/training/mine/{guide.pk}/").status_code == 404
        assert client.post(f"/training/mine/{guide.pk}/acknowledge/").status_code == 404
        assert client.get(f"/training/mine/{guide.pk}/quiz/").status_code == 404
    assert not Completion.objects.exists()


def test_a_new_starter_gets_the_guides_already_published_for_them(client, make_user, site):
    guide = make_guide(site_ids=[site.pk])
    newcomer = make_user(Role.AGENT, site=site)  # joined after publishing
    client.force_login(newcomer)
    assert guide.title in client.get("/training/mine/").content.decode()
    assert Assignment.objects.filter(user=newcomer, guide=guide).exists()


@pytest.mark.parametrize("role", [Role.TRAINER, Role.CVM_MANAGER])
def test_my_training_is_for_people_at_sites(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/training/mine/").status_code == 403


def test_acknowledging_is_post_only(client, agent):
    guide = make_guide()
    client.force_login(agent)
    assert client.get(f"/training/mine/{guide.pk}/acknowledge/").status_code == 405


def test_the_nav_leads_agents_to_my_training_and_leads_to_the_dashboard(client, agent, make_user):
    client.force_login(agent)
    body = client.get("/training/mine/").content.decode()
    assert 'href="/training/mine/" aria-current="page"' in body
    client.force_login(make_user(Role.TEAM_LEAD))
    body = client.get("/training/mine/").content.decode()
    assert 'href="/training/dashboard/"' in body


def test_my_training_takes_the_same_queries_for_one_guide_or_five(
    client, agent, django_assert_num_queries
):
    make_guide(title="Guide 0")
    client.force_login(agent)
    client.get("/training/mine/")
    # session, user, roles, profile, published guides not yet assigned, assignments, completions,
    # the latest sales digest (none)
    with django_assert_num_queries(8):
        client.get("/training/mine/")
    for n in range(1, 5):
        make_guide(title=f"Guide {n}")
    with django_assert_num_queries(8):
        body = client.get("/training/mine/").content.decode()
    assert body.count('class="card"') == 5


@pytest.mark.parametrize("path", ["/training/mine/", "/training/mine/1/", "/training/mine/1/quiz/"])
def test_anonymous_people_are_sent_to_sign_in_from_the_agent_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_with_no_attempt_left_the_quiz_page_says_so_instead_of_showing_the_quiz(client, agent):
    from training.progress import submit_quiz

    guide = make_guide(max_attempts=1)
    submit_quiz(user=agent, guide=guide, answers={})
    client.force_login(agent)
    body = client.get(f"/training/mine/{guide.pk}/quiz/").content.decode()
    assert "You have used all your attempts" in body and "Submit answers" not in body
