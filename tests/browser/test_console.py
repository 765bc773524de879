"""The console in a real browser: find a customer, take an offer, see it in the history; screen-pop."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def a_demo_customer_with_offers():
    from campaigns.models import TargetGroup, TargetGroupMember

    members = (
        TargetGroupMember.objects.filter(
            version__in=TargetGroup.objects.filter(campaign__code="UP-DATA").values(
                "active_version"
            ),
            customer__consent_marketing=True,
            customer__do_not_contact=False,
        )
        .select_related("customer", "version")
        .order_by("customer__external_id")
    )
    return next(member.customer for member in members if not member.is_control)


def test_a_store_agent_finds_a_customer_accepts_an_offer_and_sees_it_in_the_history(
    demo_world, page, live_server, sign_in
):
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    national = customer.phone.removeprefix("+48")
    page.get_by_label("Phone number or customer id").fill(
        f"{national[:3]} {national[3:6]} {national[6:]}"
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    offers = page.locator("ol.offers > li")
    assert 1 <= offers.count() <= 3
    expect(offers.first.locator(".reason")).to_contain_text("likely to accept")
    title = offers.first.locator("h3").inner_text()
    accept = offers.first.get_by_role("button", name="Accepted")
    accept.dblclick()  # a double click records once
    expect(offers.first.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")
    page.reload()
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history).to_contain_text(title)


def test_screen_pop_lands_on_the_caller_without_the_number_in_the_history(
    demo_world, page, live_server, sign_in
):
    customer = a_demo_customer_with_offers()
    sign_in("callcentre1")
    page.goto(f"{live_server.url}/console/pop/#{customer.phone}")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    assert customer.phone not in page.url
    page.go_back()
    assert "#" not in page.url  # the number was taken out of the history


def test_a_call_centre_agent_declines_with_a_reason_using_only_the_keyboard(
    demo_world, page, live_server, sign_in
):
    from campaigns.models import Response

    customer = a_demo_customer_with_offers()
    sign_in("callcentre1")
    page.goto(f"{live_server.url}/console/pop/#{customer.phone}")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    page.wait_for_load_state()  # the shortcuts script is loaded
    first = page.locator("ol.offers > li").first
    page.keyboard.press("1")  # the first offer
    expect(first.get_by_role("button", name="Accepted")).to_be_focused()
    page.keyboard.press("d")  # declined: the reasons open, the first one has focus
    expect(first.get_by_role("button", name="Too expensive")).to_be_focused()
    page.keyboard.press("Tab")  # the second reason
    page.keyboard.press("Enter")
    expect(first.locator("[data-focus-after-swap]")).to_contain_text(
        "Recorded: Declined — Not interested"
    )
    response = Response.objects.get(customer=customer)
    assert (response.outcome, response.decline_reason.code) == ("declined", "not_interested")
