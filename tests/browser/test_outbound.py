"""An outbound agent works three leads in a real browser: no answer, a callback, a sale."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_outbound_agent_works_three_leads_with_different_dispositions(
    demo_world, page, live_server, sign_in
):
    from campaigns.models import Response
    from channels.models import CallAttempt, Lead

    sign_in("outbound1")
    expect(page.get_by_role("heading", name="Outbound calls")).to_be_visible()
    next_button = page.get_by_role("button", name="Next customer")
    expect(next_button).to_be_focused()  # the agent can start with Enter

    # First lead: nobody answers.
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What happened on the call?")).to_be_visible()
    first = page.locator("#lead-h").inner_text()
    page.get_by_role("button", name="No answer").click()
    expect(page.get_by_role("button", name="Next customer")).to_be_visible()

    # Second lead: the customer asks to be called back tomorrow, by this agent.
    page.get_by_role("button", name="Next customer").click()
    second = page.locator("#lead-h").inner_text()
    assert second != first
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Call back at").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Only I call back").check()
    page.get_by_role("button", name="Schedule callback").click()

    # Third lead: reached, accepts the first offer, wrap-up brings the next customer.
    page.get_by_role("button", name="Next customer").click()
    third = page.locator("#lead-h").inner_text()
    assert third not in (first, second)
    page.get_by_role("button", name="Reached").click()
    expect(page.get_by_role("heading", name="Offers for this customer")).to_be_visible()
    offer = page.locator("ol.offers > li").first
    offer.get_by_role("button", name="Accepted").click()
    expect(offer.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")
    page.get_by_role("button", name="Wrap up — next customer").click()
    fourth = page.locator("#lead-h").inner_text()
    assert fourth not in (first, second, third)

    expect(page.locator("#count-calls")).to_have_text("3")
    expect(page.locator("#count-reached")).to_have_text("1")
    expect(page.locator("#count-conversions")).to_have_text("1")
    dispositions = list(CallAttempt.objects.order_by("at").values_list("disposition", flat=True))
    assert dispositions == ["no_answer", "callback", "reached"]
    callback = Lead.objects.get(is_callback=True)
    assert callback.callback_agent.username == "outbound1"
    assert Response.objects.filter(outcome="accepted", channel_kind="outbound_call").count() == 1
