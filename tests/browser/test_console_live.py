"""The console's customer page in Chromium: a screen pop survives an expired session and a
second pop in the same tab; shortcuts act only in a sequence (an offer's number, then an
outcome key); an outcome can be undone; the History follows in place; the page fits a phone
and keeps three offers' buttons on one line on a desk."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = ["Fibre 1 Gb/s at your address", "20 GB extra data", "TV Plus on your fibre"]
SCRIPT = "Fibre is now available at your address: one gigabit for 59 zloty, installed for free."


@pytest.fixture
def world(transactional_db):
    """A store agent, and two customers who each get the same three offers (one per family)."""
    from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
    from campaigns.defaults import ensure_decline_reasons
    from campaigns.models import DeclineReason
    from cvm_portal.roles import Role, sync_role_groups
    from tests.factories import (
        CampaignFactory,
        CustomerFactory,
        OfferContentFactory,
        OfferFactory,
        ProductFactory,
        target_group,
        user_with_role,
    )

    # Transactional tests empty every table afterwards, migration-made rows included.
    sync_role_groups()
    ensure_decline_reasons(DeclineReason)
    agent = user_with_role(Role.AGENT, username="store7")
    first = CustomerFactory(name="Anna Kowalczyk", phone="+48501000001")
    second = CustomerFactory(name="Jan Nowak", phone="+48501000002")
    families = [ProductFamily.BROADBAND, ProductFamily.DATA_ADDON, ProductFamily.TV]
    for rank, (title, family) in enumerate(zip(TITLES, families, strict=True)):
        offer = OfferFactory(
            title=title, product=ProductFactory(family=family), channel_kinds=[ChannelKind.STORE]
        )
        OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE, agent_script=SCRIPT)
        campaign = CampaignFactory(
            status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
        )
        target_group(
            campaign,
            [{"customer": c, "propensity": 0.6 - rank / 10} for c in (first, second)],
        )
    return SimpleNamespace(agent=agent, first=first, second=second)


@pytest.fixture
def signed_in(world, sign_in):
    from tests.factories import PASSWORD

    sign_in("store7", PASSWORD)
    return world


def pop(page, live_server, customer):
    page.goto(f"{live_server.url}/console/pop/#{customer.phone}")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    page.wait_for_load_state()  # console.js runs the shortcuts once loaded


def responses():
    from campaigns.models import Response

    return list(Response.objects.values_list("offer__title", "outcome"))


# --- Screen-pop ---------------------------------------------------------------------------


def test_a_pop_that_meets_an_expired_session_lands_on_the_caller_after_sign_in(
    world, page, live_server
):
    from tests.factories import PASSWORD

    digits = world.first.phone.removeprefix("+")
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.post_data or "")))

    # Given an agent whose session has expired, when telephony pops a call
    page.goto(f"{live_server.url}/console/pop/#{world.first.phone}")

    # Then the sign-in page says a call is waiting, the number out of its address
    expect(page.get_by_text("Incoming call: sign in and the caller's page opens.")).to_be_visible()
    assert page.url.endswith("/accounts/login/?next=/console/pop/")
    assert digits in page.evaluate("sessionStorage.getItem('cvm.pop')")
    page.get_by_label("Username").fill("store7")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # And once signed in, the caller's page opens
    expect(page.get_by_role("heading", name=world.first.name)).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('cvm.pop')") is None  # taken once
    # The number went to the server once, in the body of the look-up after sign-in; never in
    # an address, and not with the sign-in.
    assert not [url for url, _body in sent if digits in url]
    assert [url for url, body in sent if digits in body] == [f"{live_server.url}/console/find/"]


def test_a_second_pop_in_the_same_tab_opens_the_new_caller(signed_in, page, live_server):
    pop(page, live_server, signed_in.first)

    pop(page, live_server, signed_in.second)  # a new page load

    # Only the fragment changes on the pop page itself: the new caller opens as well.
    page.goto(f"{live_server.url}/console/pop/")
    expect(page.get_by_label("Caller's number")).to_be_visible()
    page.evaluate(f"window.location.hash = '{signed_in.first.phone}'")
    expect(page.get_by_role("heading", name=signed_in.first.name)).to_be_visible()
    assert "#" not in page.url


# --- Shortcuts, undo, History -------------------------------------------------------------


def test_typing_with_no_field_focused_records_nothing(signed_in, page, live_server):
    pop(page, live_server, signed_in.first)

    page.keyboard.type("Kowalczyk dla")  # a surname typed with no field focused: a, l, d, n

    page.keyboard.press("1")
    page.wait_for_timeout(4500)  # the selection lapses
    page.keyboard.press("a")
    expect(page.locator("ol.offers > li.selected")).to_have_count(0)
    expect(page.locator("ol.offers details[open]")).to_have_count(0)
    page.wait_for_timeout(300)
    assert responses() == []


def test_an_offers_number_then_a_records_accepted_and_the_history_follows(
    signed_in, page, live_server
):
    pop(page, live_server, signed_in.first)
    second = page.locator("ol.offers > li").nth(1)
    history = page.locator("#history")
    expect(history).to_contain_text("No offer has been presented")

    page.keyboard.press("2")
    expect(second).to_have_class("card offer selected")
    expect(page.locator("#keys-status")).to_contain_text(f"Offer 2 selected: {TITLES[1]}")
    page.keyboard.press("a")

    expect(second.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")
    expect(second.locator("[data-focus-after-swap]")).to_be_focused()
    expect(history.locator("tbody tr")).to_have_count(1)  # no reload
    expect(history.locator("tbody tr")).to_contain_text(TITLES[1])
    assert responses() == [(TITLES[1], "accepted")]


def test_another_key_cancels_the_selection(signed_in, page, live_server):
    pop(page, live_server, signed_in.first)

    page.keyboard.press("1")
    page.keyboard.press("x")
    page.keyboard.press("a")

    expect(page.locator("#keys-status")).to_have_text("Selection cancelled.")
    page.wait_for_timeout(300)
    assert responses() == []


def test_one_click_undoes_an_outcome_and_u_undoes_one_just_recorded(signed_in, page, live_server):
    from campaigns.models import UndoneOutcome

    pop(page, live_server, signed_in.first)
    first = page.locator("ol.offers > li").first
    history = page.locator("#history")
    first.get_by_role("button", name="Accepted").click()
    expect(history.locator("tbody tr")).to_have_count(1)

    first.get_by_role("button", name="Undo").click()

    expect(first.locator("[data-focus-after-swap]")).to_have_text(
        "Undone: Accepted. Record what happened again."
    )
    expect(history.locator("tbody tr")).to_have_count(0)
    assert responses() == []

    # Recorded again by keys, and undone by U while the confirmation has the focus.
    page.keyboard.press("1")
    page.keyboard.press("l")
    expect(first.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Later")
    expect(first.locator("[data-focus-after-swap]")).to_be_focused()
    page.keyboard.press("u")
    expect(first.locator("[data-focus-after-swap]")).to_have_text(
        "Undone: Later. Record what happened again."
    )
    assert responses() == []
    assert sorted(UndoneOutcome.objects.values_list("outcome", flat=True)) == ["accepted", "later"]


def test_the_undo_button_goes_when_its_period_ends(signed_in, page, live_server, settings):
    pop(page, live_server, signed_in.first)
    first = page.locator("ol.offers > li").first
    first.get_by_role("button", name="Later").click()
    undo = first.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()

    expect(undo).to_have_count(0, timeout=settings.CVM_UNDO_SECONDS * 1000 + 2000)
    expect(first.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Later")
    assert responses() == [(TITLES[0], "later")]


def test_shortcuts_can_be_turned_off_and_stay_off(signed_in, page, live_server):
    pop(page, live_server, signed_in.first)
    page.get_by_label("Keyboard shortcuts").uncheck()
    page.locator("body").click()  # the focus leaves the switch

    page.reload()
    page.wait_for_load_state()
    expect(page.get_by_label("Keyboard shortcuts")).not_to_be_checked()
    page.keyboard.press("1")
    page.keyboard.press("a")

    expect(page.locator("ol.offers > li.selected")).to_have_count(0)
    page.wait_for_timeout(300)
    assert responses() == []


def test_d_after_a_number_opens_the_reasons_and_keys_reach_them(signed_in, page, live_server):
    pop(page, live_server, signed_in.first)
    third = page.locator("ol.offers > li").nth(2)

    page.keyboard.press("3")
    page.keyboard.press("d")
    expect(third.get_by_role("button", name="Too expensive")).to_be_focused()
    page.keyboard.press("Enter")

    expect(third.locator("[data-focus-after-swap]")).to_contain_text(
        "Recorded: Declined — Too expensive"
    )
    assert responses() == [(TITLES[2], "declined")]


# --- Layout -------------------------------------------------------------------------------


def test_on_a_phone_the_first_offers_accepted_button_is_on_the_first_screen(
    signed_in, page, live_server
):
    page.set_viewport_size({"width": 390, "height": 844})

    pop(page, live_server, signed_in.first)

    accepted = page.locator("ol.offers > li").first.get_by_role("button", name="Accepted")
    expect(accepted).to_be_in_viewport()
    box = accepted.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    # The header stays compact: the facts run on in a few lines.
    assert page.locator(".customer-head").bounding_box()["height"] < 200


def test_on_a_desk_three_offers_keep_their_buttons_on_one_line(signed_in, page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    pop(page, live_server, signed_in.first)
    cards = page.locator("ol.offers > li")
    expect(cards).to_have_count(3)

    def button_rows():
        rows = []
        for i in range(3):
            buttons = cards.nth(i).locator(".outcome-form button, .outcome summary")
            rows.append({round(buttons.nth(j).bounding_box()["y"]) for j in range(4)})
        return rows

    assert [len(row) for row in button_rows()] == [1, 1, 1]

    def other_cards():  # where the second and third cards are on the page, and how tall
        return page.evaluate(
            "Array.from(document.querySelectorAll('ol.offers > li')).slice(1).map("
            "c => [c.getBoundingClientRect().top + window.scrollY, c.offsetHeight])"
        )

    before = other_cards()

    # Opening the reasons on one card leaves the others as they were: no gaps appear.
    cards.first.get_by_text("Declined…").click()
    expect(cards.first.get_by_role("button", name="Too expensive")).to_be_visible()
    assert other_cards() == before
