"""Contact preferences in a real browser: a store agent records, from the keyboard, that the
customer withdraws consent to marketing calls; the page says so, and it holds on reload."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def a_demo_customer_who_takes_calls():
    from campaigns.models import Customer

    return Customer.objects.filter(
        consent_marketing=True, consent_calls=True, do_not_contact=False
    ).first()


def test_a_store_agent_records_a_withdrawal_and_it_holds(demo_world, page, live_server, sign_in):
    from campaigns.models import ContactPreferenceChange

    customer = a_demo_customer_who_takes_calls()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    consents = page.locator("#customer-consents")
    expect(consents).to_contain_text("calls")
    # The box is closed until the agent opens it
    box = page.locator("#contact-preferences")
    calls = box.get_by_label("Marketing calls and visits")
    expect(calls).to_be_hidden()
    box.locator("summary").focus()
    page.keyboard.press("Enter")
    calls.check()
    record = box.get_by_role("button", name="Record the withdrawal")
    # Without the confirmation the browser keeps the form: nothing is recorded
    record.click()
    assert not ContactPreferenceChange.objects.exists()
    box.get_by_label("The customer asked for this during this contact.").check()
    record.focus()
    page.keyboard.press("Enter")
    expect(box.get_by_role("status")).to_contain_text("Withdrawal recorded: Marketing calls")
    expect(box).to_contain_text("Refresh offers")
    expect(consents).not_to_contain_text("calls")  # the header, updated with the box
    # On reload the consent shows as not given, and cannot be ticked again
    page.reload()
    page.locator("#contact-preferences summary").click()
    expect(
        page.locator("#contact-preferences").get_by_label("Marketing calls and visits")
    ).to_be_disabled()
    assert ContactPreferenceChange.objects.get().customer_id == customer.pk
