"""A click whose request fails is never silent (static/js/request_errors.js): in Chromium, an
agent's outcome button meets a dropped connection, a server error and an ended session; each
time the card says the outcome was not saved and what to do, as an alert a screen reader reads
out, nothing is recorded, and the same click once the portal answers records it and clears the
message. The network is cut at the browser (Playwright's routing): the edge of the system."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_console_live import pop, responses, signed_in, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

OUTCOME = "**/console/offers/*/outcome/"


def test_an_outcome_that_does_not_reach_the_portal_says_so_and_can_be_sent_again(
    signed_in,  # noqa: F811 - the fixture
    page,
    live_server,
):
    pop(page, live_server, signed_in.first)
    card = page.locator("ol.offers > li").first
    alert = card.get_by_role("alert")

    # The connection drops
    page.route(OUTCOME, lambda route: route.abort("connectionreset"))
    card.get_by_role("button", name="Accepted").click()
    expect(alert).to_have_text(
        "Not saved: the portal did not answer. Check the connection and try again."
    )
    assert responses() == []

    # The portal fails
    page.unroute(OUTCOME)
    page.route(OUTCOME, lambda route: route.fulfill(status=500, body="<h1>Server Error</h1>"))
    card.get_by_role("button", name="Accepted").click()
    expect(alert).to_have_text(
        "Not saved: the portal had a problem. Try again; if it happens again, tell your team lead."
    )
    expect(card.get_by_role("alert")).to_have_count(1)  # one message, replaced, not stacked

    # The session has ended (the portal refuses the form)
    page.unroute(OUTCOME)
    page.route(OUTCOME, lambda route: route.fulfill(status=403, body="Forbidden"))
    card.get_by_role("button", name="Accepted").click()
    expect(alert).to_contain_text("Reload the page and try again.")
    assert responses() == []

    # The portal answers again: the same click records it, and the message goes
    page.unroute(OUTCOME)
    card.get_by_role("button", name="Accepted").click()
    expect(card.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")
    expect(card.get_by_role("alert")).to_have_count(0)
    assert responses() == [("Fibre 1 Gb/s at your address", "accepted")]


def test_a_refusal_the_server_explains_in_plain_text_is_shown_as_it_said(
    signed_in,  # noqa: F811 - the fixture
    page,
    live_server,
):
    pop(page, live_server, signed_in.first)
    card = page.locator("ol.offers > li").first
    page.route(
        OUTCOME,
        lambda route: route.fulfill(
            status=400,
            body="Reload the page and tap the campaign again.",
            content_type="text/plain",
        ),
    )

    card.get_by_role("button", name="Accepted").click()

    expect(card.get_by_role("alert")).to_have_text("Reload the page and tap the campaign again.")
