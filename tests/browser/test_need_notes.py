"""A customer-need note in a real browser: ticked and saved from the keyboard, shown in the
customer's history at once, with the phone number masked."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import a_demo_customer_with_offers

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = os.environ.get("CVM_SCREENSHOTS")  # a folder: save what the agent saw, to look at


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def test_an_agent_notes_two_needs_and_a_masked_number_with_the_keyboard(
    demo_world, page, live_server, sign_in
):
    from campaigns.models import NeedTag
    from campaigns.needs import ensure_needs
    from channels.models.insights import CustomerNote

    ensure_needs(NeedTag)  # the taxonomy the migration seeds (a flush may have emptied it)
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    page.wait_for_load_state()  # need_notes.js is loaded
    address = page.url

    form = page.locator("#need-notes-form")
    cheaper = form.get_by_role("checkbox", name="Wants a cheaper plan")
    cheaper.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the next need
    expect(form.get_by_role("checkbox", name="Coverage problem")).to_be_focused()
    page.keyboard.press("Space")
    expect(cheaper).to_be_checked()
    text = form.get_by_label("Note (optional)")
    text.focus()
    page.keyboard.type("No signal at home. Call back on 601 234 567 after 5 pm.")
    expect(form.locator(".need-note-count")).to_have_text("445 of 500 characters left")
    page.keyboard.press("Control+Enter")

    notes = page.locator("#history #need-notes-list > li")
    expect(notes).to_have_count(1)
    expect(notes.first).to_contain_text("No signal at home. Call back on [phone] after 5 pm.")
    expect(notes.first).to_contain_text("Wants a cheaper plan")
    expect(notes.first).to_contain_text("Coverage problem")
    expect(page.locator("#history")).not_to_contain_text("601 234 567")
    expect(page.locator("#announcer")).to_have_text("Note saved.")
    expect(text).to_have_value("")  # cleared for the next one
    expect(cheaper).not_to_be_checked()
    assert page.url == address  # no reload
    note = CustomerNote.objects.get()
    assert note.text == "No signal at home. Call back on [phone] after 5 pm."
    page.locator("#need-notes").scroll_into_view_if_needed()
    shoot(page, "h3_note")

    # On a tablet (1024 px wide) the form and the history fit without sideways scrolling.
    page.set_viewport_size({"width": 1024, "height": 900})
    page.locator("#need-notes").scroll_into_view_if_needed()
    shoot(page, "h3_note_1024")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024


def test_saving_nothing_says_what_to_do_and_keeps_the_page(demo_world, page, live_server, sign_in):
    from campaigns.models import NeedTag
    from campaigns.needs import ensure_needs

    ensure_needs(NeedTag)
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("#need-notes-form").get_by_role("button", name="Save note").click()
    expect(page.locator("#need-note-errors")).to_have_text(
        "Tick at least one need or write a few words."
    )
