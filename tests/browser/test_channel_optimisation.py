"""Channel optimisation in a real browser: a CVM manager opens the report over the demo's
service contacts, sees its charts drawn, runs a what-if with the keyboard only, saves it as the
support-routing policy; the API then answers the digital channels with that policy."""

import os

import pytest
from playwright.sync_api import expect

from campaigns.choices import ChannelKind, Segment
from campaigns.models import Customer, SupportRoutingPolicy
from tests.factories import api_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_runs_a_what_if_by_keyboard_and_saves_it_as_the_policy_the_api_serves(
    demo_world, page, live_server, sign_in, tmp_path
):
    sign_in("cvm1")
    page.set_viewport_size({"width": 1024, "height": 900})
    page.get_by_role("link", name="Channel optimisation", exact=False).first.click()
    expect(page.get_by_role("heading", name="Channel optimisation", exact=True)).to_be_visible()
    for chart in ("#chart-cost", "#chart-shares"):
        expect(page.locator(chart)).to_have_attribute("data-drawn", "true")
    expect(page.locator("section[aria-labelledby=segments-h] table")).to_contain_text(
        "Consumer postpaid"
    )

    # The what-if, by keyboard: each field focused in turn with Tab, chosen by typing.
    page.locator("#id_segment").focus()
    page.keyboard.type("Consumer po")
    page.keyboard.press("Tab")  # tier: every tier
    page.keyboard.press("Tab")
    page.keyboard.type("Inbound")
    page.keyboard.press("Tab")
    page.keyboard.type("App")
    page.keyboard.press("Tab")
    page.keyboard.type("50")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="Moving 50.0% of the contacts from Inbound call to App")
    ).to_be_visible()
    expect(page.locator("#whatif-moved")).not_to_have_text("")
    expect(page.locator("#whatif-saved")).to_contain_text("PLN")
    page.screenshot(
        path=os.environ.get("CVM_SCREENSHOT") or tmp_path / "report.png", full_page=True
    )

    # Save it: the suggested "Self-service only" for the segment, and an agent for those who
    # prefer inbound calls.
    page.locator("#save_exception_channel").focus()
    page.keyboard.type("Inbound")
    page.keyboard.press("Tab")  # the first exception option: a direct line to an agent
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save as support-routing policy").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("version 1 is now active")
    expect(page.locator("#policy")).to_contain_text("Self-service only")

    policy = SupportRoutingPolicy.objects.get(is_active=True)
    assert policy.created_by.username == "cvm1"
    _client, key = api_client("web-site", kinds=[ChannelKind.WEB])
    postpaid = Customer.objects.filter(segment=Segment.POSTPAID)
    caller = postpaid.filter(preferred_channel=ChannelKind.INBOUND_CALL).first()
    other = postpaid.exclude(preferred_channel=ChannelKind.INBOUND_CALL).first()
    headers = {"Authorization": f"Api-Key {key}"}
    for customer, expected in ((caller, "agent"), (other, "self_service")):
        answer = page.request.get(
            f"{live_server.url}/api/v1/support-options/?customer_id={customer.external_id}",
            headers=headers,
        )
        assert answer.status == 200
        assert [o["code"] for o in answer.json()["options"]] == [expected]
