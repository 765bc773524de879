"""An outbound agent's comforts in a real browser: confirmations, calls left, undo, feedback to
CVM and their own callbacks."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _calls_left(page) -> int:
    return int(page.locator("#calls-left").inner_text())


def test_an_outbound_agent_is_told_what_was_recorded_can_undo_and_sees_their_day(
    demo_world, page, live_server, sign_in
):
    from campaigns.models import OfferFeedback, Response, UndoneOutcome

    sign_in("outbound1")
    expect(page.get_by_role("heading", name="My callbacks")).to_be_visible()
    expect(page.get_by_text("No callbacks booked.")).to_be_visible()
    page.get_by_role("button", name="Next customer").click()
    left = _calls_left(page)
    assert left > 2

    # Reached: the confirmation says whom, and what to do next.
    customer = page.locator("#lead-h").inner_text()
    first_name = customer.split()[0]
    page.get_by_role("button", name="Reached").click()
    expect(page.locator(".messages")).to_contain_text(f"Reached {first_name} ")
    offer = page.locator("ol.offers > li").first
    expect(offer).to_contain_text(re.compile(r"About \d+ s to read"))
    title = offer.locator("h3").inner_text()

    # An outcome is confirmed in the card, and the day's conversions follow at once.
    offer.get_by_role("button", name="Accepted").click()
    expect(offer.locator("[data-focus-after-swap]")).to_contain_text(
        f"Recorded: Accepted — {title} for"
    )
    expect(page.locator("#count-conversions")).to_have_text("1")
    expect(offer.locator(".recorded")).to_be_focused()  # the keyboard carries on from here

    # A wrong click is undone with one click: the outcome buttons are back.
    offer.get_by_role("button", name="Undo").click()
    expect(offer.locator("[data-focus-after-swap]")).to_contain_text(
        f"Undone: Accepted — {title} for"
    )
    expect(page.locator("#count-conversions")).to_have_text("0")
    assert not Response.objects.exists()
    assert UndoneOutcome.objects.count() == 1
    offer.get_by_role("button", name="Later").click()
    expect(offer.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Later")

    # Feedback on the offer goes to the CVM inbox.
    offer.get_by_text("Feedback on this offer").click()
    offer.get_by_label("Not useful").check()
    offer.get_by_label("Reason").select_option(label="Price")
    offer.get_by_label("Comment (optional)").fill("Students ask for a cheaper tier")
    offer.get_by_role("button", name="Send to CVM").click()
    expect(offer.get_by_text("Thank you — your feedback on")).to_be_visible()
    assert OfferFeedback.objects.get().comment == "Students ask for a cheaper tier"

    # Wrap-up confirms what the call left on record; one call fewer is left today.
    page.get_by_role("button", name="Wrap up — next customer").click()
    expect(page.locator(".messages")).to_contain_text(f"wrapped up — {title}: Later")
    expect(page.locator("#calls-left")).to_have_text(str(left - 1))

    # The next customer asks to be called back tomorrow, by this agent.
    second = page.locator("#lead-h").inner_text()
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Call back at").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Only I call back").check()
    page.get_by_role("button", name="Schedule callback").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Callback set for tomorrow 10:00 — {second.split()[0]} "
    )
    expect(page.locator("#calls-left")).to_have_text(str(left - 2))
    row = page.locator(".my-callbacks tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tomorrow 10:00")
    expect(row).to_contain_text(second)
    expect(row).to_contain_text("only you")
    expect(row).to_contain_text("•")  # the phone, masked

    # CVM reads the feedback in their inbox.
    page.get_by_role("button", name="Log out").click()
    sign_in("cvm1")
    page.goto(f"{live_server.url}/cvm/feedback/")
    expect(page.get_by_text("Students ask for a cheaper tier")).to_be_visible()


def test_the_undo_button_goes_when_the_undo_period_ends(
    demo_world, page, live_server, sign_in, settings
):
    from campaigns.models import Response

    settings.CVM_UNDO_SECONDS = 2
    sign_in("outbound1")
    page.get_by_role("button", name="Next customer").click()
    page.get_by_role("button", name="Reached").click()
    offer = page.locator("ol.offers > li").first
    offer.get_by_role("button", name="Accepted").click()
    expect(offer.get_by_role("button", name="Undo")).to_be_visible()
    expect(offer.get_by_role("button", name="Undo")).to_have_count(0, timeout=4000)
    expect(offer.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")
    assert Response.objects.count() == 1
