"""A CVM manager works through the weekly research queue with the keyboard alone: ticks a need,
rates the call with the arrow keys, writes a finding (a phone number in it is masked), saves,
and sees the progress move."""

import os

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = os.environ.get("CVM_SCREENSHOTS")  # a folder: save what the manager saw, to look at


def test_a_cvm_manager_reviews_a_sampled_call_with_the_keyboard(
    demo_world, page, live_server, sign_in
):
    from django.core.management import call_command

    from campaigns.models import NeedTag
    from channels.models import ResearchItem

    # Given the demo's calls of the last two weeks, recorded, and last week's queue drawn
    # (demo_history attaches the recordings and draws the queue)
    call_command("demo_history", days=14, contacts=3, stdout=open(os.devnull, "w"))  # noqa: SIM115
    if not NeedTag.objects.exists():
        NeedTag.objects.create(code="cheaper-plan", label="Wants a cheaper plan")
    total = ResearchItem.objects.count()
    assert total > 0
    tag = NeedTag.objects.filter(is_active=True).first()

    # When the CVM manager opens the queue from their workspace
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("cvm1")
    page.get_by_role("link", name="Research queue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Research queue")
    expect(page.locator(".research-progress")).to_contain_text(f"0 of {total} reviewed")
    item = page.locator(".research-item").first
    listen = item.get_by_role("link", name="Listen")
    expect(listen).to_have_attribute("target", "_blank")
    expect(listen).to_have_attribute("rel", "noopener noreferrer")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "h4_queue.png"), full_page=True)

    # …and, by keyboard only, ticks a need, rates 4, writes a finding and saves
    item.get_by_label(tag.label).focus()
    page.keyboard.press("Space")
    item.get_by_label("1", exact=True).focus()
    page.keyboard.press("Space")
    for _n in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("Wants to be called back on 600 700 800 about a cheaper plan.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Then the review is saved, the number masked, and the progress says so
    expect(page.get_by_role("status")).to_contain_text("Review saved.")
    expect(page.locator(".research-progress")).to_contain_text(f"1 of {total} reviewed")
    reviewed = ResearchItem.objects.get(reviewed_at__isnull=False)
    assert reviewed.rating == 4
    assert list(reviewed.tags.all()) == [tag]
    assert "[phone]" in reviewed.note and "600" not in reviewed.note
