"""A chatbot hands a conversation over, in a real browser: the bot posts it over HTTP, an inbound
agent sees it waiting, takes it, reads the bot's intent and summary at the top of the customer's
console without typing anything, closes it, and the bot reads the outcome back."""

import os

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_console import a_demo_customer_with_offers

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("CVM_SCREENSHOTS")  # a folder: save what the agent saw, to look at


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 768], ids=["desktop", "tablet"])
def test_an_inbound_agent_takes_a_chatbot_hand_over_and_sees_the_bots_intent_without_typing(
    demo_world, page, live_server, sign_in, width
):
    from campaigns.choices import ChannelKind
    from tests.factories import api_client

    # Given a chatbot that hands a known customer over, through the API
    customer = a_demo_customer_with_offers()
    _client, key = api_client("help-bot", kinds=[ChannelKind.CHATBOT])
    api = requests.Session()
    api.headers["Authorization"] = f"Api-Key {key}"
    posted = api.post(
        f"{live_server.url}/api/v1/handovers/",
        json={
            "customer_id": customer.external_id,
            "intent": "Moving house next month",
            "summary": "Moves to Kraków on the 15th and asks whether fibre is available there.",
            "transcript_url": "https://bot.example.com/t/42",
            "conversation_id": "conv-42",
        },
        timeout=30,
    )
    assert posted.status_code == 201, posted.text
    handover_id = posted.json()["handover_id"]

    # When an inbound agent signs in, sees it waiting on the console and takes it by keyboard
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("callcentre1")
    page.goto(f"{live_server.url}/console/")
    queue = page.locator("#handover-queue")
    expect(queue).to_contain_text("Moving house next month")
    expect(queue).to_contain_text("2 waiting")  # the demo's own hand-over waits too, older
    shot(page, f"handover-queue-{width}")
    ours = queue.locator(".handover-item").filter(has_text="Moving house next month")
    take = ours.get_by_role("button", name="Take")
    take.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Then the customer's console shows the bot's intent and summary above everything else
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    banner = page.locator(".handover-banner")
    expect(banner.get_by_role("heading")).to_have_text("From the chatbot: Moving house next month")
    expect(banner).to_contain_text("Moves to Kraków on the 15th")
    link = banner.get_by_role("link", name="Read the whole transcript")
    expect(link).to_have_attribute("target", "_blank")
    banner_top = banner.bounding_box()["y"]
    assert banner_top < page.locator(".customer-head").bounding_box()["y"]
    assert page.locator("ol.offers > li").count() >= 1  # the offers below, as usual
    expect(page.locator("#handover-history")).to_contain_text("Taken")
    shot(page, f"handover-console-{width}")

    # When the agent closes it with an outcome, from the keyboard
    resolved = banner.get_by_role("button", name="Resolved", exact=True)
    resolved.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Hand-over closed: Resolved")

    # Then the bot's GET shows the outcome
    answer = api.get(f"{live_server.url}/api/v1/handovers/{handover_id}/", timeout=30).json()
    assert (answer["status"], answer["outcome"]) == ("closed", "resolved")
    assert answer["closed_at"]
