"""One contact, one decision, in a real browser: a reload keeps the offers; "Refresh offers"
decides anew, and the offer the customer declined is then under "Not offered now", with why."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import a_demo_customer_with_offers

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("CVM_SCREENSHOTS")  # a folder: save what the agent saw, to look at


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_reload_keeps_the_offers_and_refresh_explains_the_declined_one(
    demo_world, page, live_server, sign_in
):
    from campaigns.models import Decision

    # Given a store agent on a customer's page
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    offers = page.locator("ol.offers > li")
    expect(offers.first).to_be_visible()
    cards = offers.evaluate_all("cards => cards.map(card => card.id)")
    title = offers.first.locator("h3").inner_text()

    # When the customer declines the first offer as too expensive, and the agent reloads
    offers.first.get_by_text("Declined…").click()
    offers.first.get_by_role("button", name="Too expensive").click()
    expect(offers.first.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Declined")
    page.reload()

    # Then the same offers are shown: one decision for the contact
    assert offers.evaluate_all("cards => cards.map(card => card.id)") == cards
    assert Decision.objects.filter(customer=customer).count() == 1
    shot(page, "h1-reused")

    # When the agent presses "Refresh offers" (from the keyboard)
    page.get_by_role("button", name="Refresh offers").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Then a new decision is shown, and the declined offer is explained in the closed panel
    expect(page.get_by_text("New offers decided.")).to_be_visible()
    assert Decision.objects.filter(customer=customer).count() == 2
    panel = page.locator("details.why-not")
    expect(panel).not_to_have_attribute("open", "")
    panel.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(panel).to_contain_text(title)
    expect(panel).to_contain_text("Declined today — Too expensive — may be offered again from")
    shot(page, "h1-why-not")
    page.set_viewport_size({"width": 768, "height": 1024})  # a store's tablet
    shot(page, "h1-why-not-tablet")
