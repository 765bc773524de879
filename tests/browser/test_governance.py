"""Four eyes in a real browser: the author submits a campaign; a second CVM manager finds it
waiting, previews it per channel, sees the capacity overload it adds to, acknowledges it and
approves it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def a_campaign_ready_for_review():
    """The demo's Christmas TV campaign, made a draft with an audience (an always-on rule for
    every customer): the demo's live campaigns already fill the Łódź inbound centre, so the
    capacity module finds the overload it adds to from the demo's own rosters and forecasts."""
    from campaigns.choices import CampaignStatus
    from campaigns.models import Campaign, EligibilityRule

    campaign = Campaign.objects.get(code="XS-TV-XMAS")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    EligibilityRule.objects.get_or_create(campaign=campaign)
    return campaign


def test_the_author_submits_and_a_second_manager_previews_acknowledges_and_approves(
    demo_world, page, live_server, sign_in
):
    campaign = a_campaign_ready_for_review()
    governance = f"{live_server.url}/cvm/campaigns/{campaign.pk}/"

    # The author submits it; they cannot approve their own work.
    sign_in("cvm1")
    page.goto(governance)
    page.get_by_label("Note for the reviewer (optional)").fill("Christmas TV, please check")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("is submitted: another CVM manager reviews")).to_be_visible()
    expect(page.get_by_text("You wrote this; another CVM manager must approve it")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    # A second manager finds it waiting for them and previews it per channel.
    sign_in("cvm2")
    page.goto(f"{live_server.url}/cvm/campaigns/")
    waiting = page.get_by_role("region", name="Waiting for your approval")
    waiting.get_by_role("link", name="XS-TV-XMAS").click()
    expect(page.get_by_role("heading", name="XS-TV-XMAS — TV Plus for Christmas")).to_be_visible()
    page.get_by_role("link", name="Preview per channel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview per channel")
    expect(page.get_by_role("heading", name="Inbound call", exact=False).first).to_be_visible()
    page.go_back()

    # It sees the overload, cannot approve without acknowledging it, then approves.
    overload = page.get_by_label("Capacity overload at", exact=False)
    expect(overload).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick each warning to acknowledge it")
    boxes = page.get_by_role("group", name="Tick each warning to acknowledge it")
    for box in boxes.get_by_role("checkbox").all():  # the overload, and any other warning
        box.check()
    page.get_by_label("Comment (optional)").fill("Overload known; staffing adds two agents")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("XS-TV-XMAS is approved.")).to_be_visible()
    history = page.get_by_role("region", name="Approval history")
    expect(history).to_contain_text("Submitted for review")
    expect(history).to_contain_text("Christmas TV, please check")
    expect(history).to_contain_text("Overload known; staffing adds two agents")
    expect(history).to_contain_text("Capacity overload at")
    campaign.refresh_from_db()
    assert campaign.status == "approved"
