"""An agent's bonus in a real browser: the offer says what it earns; the statement shows it."""

import pytest
from playwright.sync_api import expect

from .test_console import a_demo_customer_with_offers

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_store_agent_sees_what_an_offer_earns_accepts_it_and_reads_the_statement(
    demo_world, page, live_server, sign_in
):
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    offer = page.locator("ol.offers > li").first
    expect(offer.locator(".earn")).to_contain_text("accepting it earns you")
    earns = offer.locator(".earn").inner_text().split("earns you ")[1].split(" ")[0]
    title = offer.locator("h3").inner_text()
    offer.get_by_role("button", name="Accepted").click()
    expect(offer.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")

    page.get_by_role("link", name="My bonus").click()
    expect(page.get_by_role("heading", name="My bonus", level=1)).to_be_visible()
    expect(page.locator("#bonus-total")).to_have_text(earns)
    lines = page.locator("#bonus-lines tbody tr")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text(title)
    expect(lines.first).to_contain_text("pending")
    expect(page.locator("#gate-share")).to_contain_text("1 of 1")
