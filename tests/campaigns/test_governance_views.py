"""The governance pages of the CVM workspace: list, campaign page, and its buttons."""

import pytest

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.lifecycle import reject, submit
from campaigns.models import ApprovalRecord, ApprovalStep
from cvm_portal.roles import Role
from tests.factories import ready_campaign

pytestmark = pytest.mark.django_db

LONG_SCRIPT = " ".join(["word"] * 120)


@pytest.fixture
def author(make_user):
    return make_user(Role.CVM_MANAGER, first_name="Ada", last_name="Author")


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.CVM_MANAGER, first_name="Rita", last_name="Reviewer")


@pytest.fixture
def submitted(author):
    return submit(campaign=ready_campaign(author=author, name="Spring data"), by=author)


def _page(client, campaign):
    return client.get(f"/cvm/campaigns/{campaign.pk}/")


def test_the_list_shows_what_waits_for_the_reader_and_not_their_own(
    client, submitted, author, reviewer
):
    client.force_login(reviewer)
    content = client.get("/cvm/campaigns/").content.decode()
    waiting = content.split('id="waiting-h"')[1].split("</section>")[0]
    assert submitted.code in waiting
    client.force_login(author)
    content = client.get("/cvm/campaigns/").content.decode()
    waiting = content.split('id="waiting-h"')[1].split("</section>")[0]
    assert submitted.code not in waiting
    assert "Nothing waits for you" in waiting
    assert "yours: waits for a colleague" in content


def test_the_list_filters_by_status_and_says_when_none_match(client, submitted, reviewer):
    client.force_login(reviewer)
    content = client.get("/cvm/campaigns/", {"status": "live"}).content.decode()
    assert "No campaign has this status." in content
    assert submitted.code in client.get("/cvm/campaigns/", {"status": "in_review"}).content.decode()


def test_the_workspace_home_links_to_the_governance_pages(client, reviewer):
    client.force_login(reviewer)
    assert 'href="/cvm/campaigns/"' in client.get("/cvm/").content.decode()


def test_a_draft_shows_its_blocking_problems_in_place_of_the_submit_button(client, author):
    campaign = ready_campaign(author=author)
    campaign.offers.clear()
    client.force_login(author)
    content = _page(client, campaign).content.decode()
    assert "The campaign has no offers: add at least one." in content
    assert "Fix the problems above, then submit it for review." in content
    assert "/submit/" not in content


def test_the_author_submits_from_the_page_and_sees_it_waiting(client, author):
    campaign = ready_campaign(author=author)
    client.force_login(author)
    response = client.post(f"/cvm/campaigns/{campaign.pk}/submit/", {"comment": "Please check"})
    assert response.status_code == 302
    content = client.get(response.url).content.decode()
    assert "is submitted: another CVM manager reviews and approves it" in content
    assert "You wrote this; another CVM manager must approve it (four eyes)." in content
    assert "Please check" in content
    assert "/approve/" not in content


def test_the_reviewer_must_tick_each_warning_and_keeps_the_ticks_on_refusal(
    client, author, reviewer
):
    campaign = ready_campaign(
        author=author, kinds=(ChannelKind.INBOUND_CALL, ChannelKind.OUTBOUND_CALL)
    )
    campaign.offers.get().contents.update(agent_script=LONG_SCRIPT)
    submit(campaign=campaign, by=author)
    client.force_login(reviewer)
    page = _page(client, campaign).content.decode()
    assert page.count('name="acknowledge"') == 2
    code = f"long_script:{campaign.offers.get().code}:inbound_call"
    response = client.post(f"/cvm/campaigns/{campaign.pk}/approve/", {"acknowledge": [code]})
    assert response.status_code == 422
    content = response.content.decode()
    assert "Tick each warning to acknowledge it before approving:" in content
    assert f'value="{code}" id="ack-1" checked' in content
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.IN_REVIEW
    other = code.replace("inbound_call", "outbound_call")
    response = client.post(
        f"/cvm/campaigns/{campaign.pk}/approve/", {"acknowledge": [code, other], "comment": "OK"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED


def test_a_rejection_without_a_comment_is_refused_and_with_one_is_shown(
    client, submitted, reviewer, author
):
    client.force_login(reviewer)
    response = client.post(f"/cvm/campaigns/{submitted.pk}/reject/", {"comment": ""})
    assert response.status_code == 422
    assert "Say why it is rejected" in response.content.decode()
    client.post(f"/cvm/campaigns/{submitted.pk}/reject/", {"comment": "Price is wrong"})
    client.force_login(author)
    content = _page(client, submitted).content.decode()
    assert "Draft" in content and "Rejected" in content and "Price is wrong" in content
    assert "Rita Reviewer" in content


def test_an_approved_campaign_goes_live_from_the_page(client, submitted, reviewer, author):
    client.force_login(reviewer)
    client.post(f"/cvm/campaigns/{submitted.pk}/approve/")
    client.force_login(author)
    assert "Go live" in _page(client, submitted).content.decode()
    response = client.post(f"/cvm/campaigns/{submitted.pk}/go-live/")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.LIVE
    steps = list(
        ApprovalRecord.objects.filter(campaign=submitted).order_by("at").values_list("step")
    )
    assert steps == [(ApprovalStep.SUBMITTED,), (ApprovalStep.APPROVED,), (ApprovalStep.WENT_LIVE,)]


def test_a_comment_over_the_limit_is_refused_with_a_message(client, submitted, reviewer):
    client.force_login(reviewer)
    response = client.post(f"/cvm/campaigns/{submitted.pk}/reject/", {"comment": "x" * 2001})
    assert response.status_code == 422
    assert "Keep the comment under 2000 characters." in response.content.decode()


@pytest.mark.parametrize("path", ["submit", "approve", "reject", "go-live"])
def test_the_buttons_refuse_get(client, submitted, reviewer, path):
    client.force_login(reviewer)
    assert client.get(f"/cvm/campaigns/{submitted.pk}/{path}/").status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, submitted):
    response = client.get(f"/cvm/campaigns/{submitted.pk}/")
    assert response.status_code == 302 and "login" in response.url
    response = client.post(f"/cvm/campaigns/{submitted.pk}/approve/")
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.TRAINER])
def test_other_roles_are_refused(client, submitted, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/cvm/campaigns/").status_code == 403
    assert _page(client, submitted).status_code == 403
    assert (
        client.post(f"/cvm/campaigns/{submitted.pk}/reject/", {"comment": "x"}).status_code == 403
    )
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.IN_REVIEW


def test_an_unknown_campaign_is_a_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/cvm/campaigns/999999/").status_code == 404
    assert client.get("/cvm/campaigns/99999999999999999999/").status_code == 404


def test_the_campaign_page_takes_a_fixed_number_of_queries(
    client,
    submitted,
    reviewer,
    author,
    django_assert_num_queries,
    django_assert_max_num_queries,
    monkeypatch,
):
    monkeypatch.setattr("campaigns.governance.capacity_source._overloads", lambda _c: [])
    client.force_login(reviewer)
    _page(client, submitted)  # the session and the user's roles are warm from here
    with django_assert_max_num_queries(40) as first:
        _page(client, submitted)
    for n in range(4):
        reject(campaign=submitted, by=reviewer, comment=f"round {n}")
        submit(campaign=submitted, by=author)
    with django_assert_num_queries(len(first.captured_queries)):
        _page(client, submitted)
