"""WCAG 2.1 AA in CI: axe-core on every page of every role, in English and in Polish (one
language per database pass, see ``walked_language``), and the console's outcome recorded with
the keyboard alone.

The walk finds pages by following links (tests/browser/axe_walk.py), so pages added later are
checked without touching this file. A page pattern already checked for one role is not checked
again for the next one in the same language; each role still starts at its own home. States a
link cannot reach are added by hand: a customer opened on the console, an outcome recorded, forms
sent back with errors. Run it alone with ``pytest tests/browser/test_accessibility.py -q``; with
``-s`` it prints what it checked.
"""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.axe_walk import Walk
from tests.browser.test_console import a_demo_customer_with_offers

pytestmark = pytest.mark.django_db(transaction=True)

# The demo's login for each role, as channels/demo.py prints them.
ROLE_LOGINS = ["store1", "callcentre1", "outbound1", "lead1", "cvm1", "trainer1", "admin"]
# Enough for every workspace page and the admin's key models; AXE_WALK_CAP raises it for a
# local sweep of the whole admin.
PAGES_PER_ROLE = int(os.environ.get("AXE_WALK_CAP", "45"))


def sign_in(page, origin: str, username: str, language: str) -> None:
    page.goto(f"{origin}/")
    page.locator("input[name=username]").fill(username)  # the page may already be in Polish
    page.locator("input[name=password]").fill("demo-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The language switch every portal page carries, as a user would use it (the admin's home
    # has none, so it is used on the password page).
    page.goto(f"{origin}/accounts/password/")
    page.locator("#lang-select").select_option(language)
    with page.expect_navigation():
        page.locator(".langform button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def send_back_with_errors(page, form: str) -> None:
    """Send ``form`` with what the browser would refuse, so the server's error page shows."""
    page.eval_on_selector(form, "f => { f.noValidate = true; }")
    with page.expect_navigation():
        page.locator(form).locator("[type=submit]").last.click()


def states_of_a_store_agent(page, walk: Walk) -> None:
    customer = a_demo_customer_with_offers()
    page.goto(f"{walk.origin}/console/")
    page.locator("input[name=q]").fill(customer.external_id)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    walk.check(page, "a customer opened")
    first = page.locator("ol.offers > li").first
    first.locator(".outcome button[value=accepted]").click()
    expect(first.locator(".undo-form")).to_be_visible()
    walk.check(page, "an outcome recorded")

    page.goto(f"{walk.origin}/accounts/password/")
    page.locator("#id_old_password").fill("not-my-password")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("other")
    send_back_with_errors(page, "main form")
    walk.check(page, "a form with errors")


def states_of_a_cvm_manager(page, walk: Walk) -> None:
    page.goto(f"{walk.origin}/admin/campaigns/offer/add/")
    send_back_with_errors(page, "#offer_form")
    walk.check(page, "an admin form with errors")


STATES = {"store1": states_of_a_store_agent, "cvm1": states_of_a_cvm_manager}


def walked_language() -> str:
    """The language this run walks: English on SQLite, Polish on PostgreSQL. CI runs the suite
    on both, so every page is checked in both languages there, and each pass pays for one walk
    (about 1.5 minutes) instead of two; ``AXE_WALK_LANGUAGES=en,pl`` walks both in one run."""
    from django.db import connection

    return "en" if connection.vendor == "sqlite" else "pl"


LANGUAGES = [x for x in os.environ.get("AXE_WALK_LANGUAGES", "").split(",") if x] or [None]


@pytest.mark.timeout(900)  # some 120 pages, each loaded and checked: minutes, not seconds
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_every_role_passes_axe_wcag_21_aa(demo_world, browser, live_server, language):
    language = language or walked_language()
    walk = Walk(origin=live_server.url)
    covered = {}
    for username in ROLE_LOGINS:
        context = browser.new_context(locale="pl-PL" if language == "pl" else "en-GB")
        page = context.new_page()
        try:
            sign_in(page, live_server.url, username, language)
            before = len(walk.checked)
            walk.crawl(page, start="/", cap=PAGES_PER_ROLE)
            if username in STATES:
                STATES[username](page, walk)
            covered[username] = walk.checked[before:]
        finally:
            context.close()

    print(f"\naxe walk ({language}):", {u: len(pages) for u, pages in covered.items()})
    for username, pages in covered.items():
        print(f"  {username}: {' '.join(pages)}")
    assert sum(map(len, covered.values())) > 30, covered  # the walk did find the portal
    assert not walk.findings, f"{len(walk.findings)} axe violations:\n" + "\n".join(
        map(str, walk.findings)
    )


def test_an_outcome_recorded_with_the_keyboard_alone_keeps_the_focus_and_is_announced(
    demo_world, page, live_server, sign_in
):
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    # The live region the announcement will come from, as the page loaded it.
    page.evaluate("window.loadedAnnouncer = document.getElementById('announcer')")

    first = page.locator("ol.offers > li").first
    accepted = first.get_by_role("button", name="Accepted")
    for _ in range(200):  # Tab, as a keyboard user would, until the button has the focus
        page.keyboard.press("Tab")
        if accepted.evaluate("b => b === document.activeElement"):
            break
    expect(accepted).to_be_focused()
    page.keyboard.press("Enter")

    confirmation = first.locator(".recorded")
    expect(confirmation).to_contain_text("Recorded: Accepted")
    expect(confirmation).to_be_focused()  # not <body>: the keyboard carries on from here
    announcer = page.locator("#announcer")
    expect(announcer).to_have_text("Recorded: Accepted")
    assert page.evaluate(
        "window.loadedAnnouncer === document.getElementById('announcer')"
        " && window.loadedAnnouncer.getAttribute('aria-live') === 'polite'"
    ), "the confirmation must be read from the live region the page loaded with"
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Undo")).to_be_focused()


def test_the_shortcut_switch_is_remembered_for_each_user(demo_world, page, live_server, sign_in):
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    switch = page.get_by_label("Keyboard shortcuts")
    switch.uncheck()
    page.reload()
    expect(page.get_by_label("Keyboard shortcuts")).not_to_be_checked()
    page.locator("body").click()
    page.keyboard.press("1")
    expect(page.locator("ol.offers > li.selected")).to_have_count(0)  # off means off

    # A colleague signing in on the same computer keeps their own choice: on.
    page.get_by_role("button", name="Log out").click()
    sign_in("lead1")
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Keyboard shortcuts")).to_be_checked()
