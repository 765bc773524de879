"""The insight page in a real browser: a CVM manager opens it from the programme results,
narrows it to one segment with the keyboard only, and sees the trend chart drawn."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.choices import ChannelKind, Segment
from campaigns.models import NeedTag
from channels.models import CustomerNote, Site
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = os.environ.get("CVM_SCREENSHOTS")  # a folder: save what the manager saw, to look at
NEEDS = [
    ("cheaper_plan", "Wants a cheaper plan"),
    ("coverage", "Coverage problem"),
    ("moving_house", "Moving house"),
]


def _notes() -> None:
    """Twelve notes over four weeks at the demo's first site: eight from small-business
    customers, four from prepaid ones."""
    site = Site.objects.order_by("pk").first()
    tags = [
        NeedTag.objects.update_or_create(code=code, defaults={"label": label, "position": i})[0]
        for i, (code, label) in enumerate(NEEDS, start=1)
    ]
    now = timezone.now()
    for i in range(12):
        segment = Segment.SMALL_BUSINESS if i % 3 else Segment.PREPAID
        note = CustomerNote.objects.create(
            customer=CustomerFactory(
                segment=segment, external_id=f"NEEDS-{i}", phone=f"+48999{i:06d}"
            ),
            site=site,
            channel_kind=ChannelKind.STORE,
            text=f"Customer {i} finds the bill too high" if i % 2 else "",
        )
        note.tags.set(tags[: 1 + i % 3])
        CustomerNote.objects.filter(pk=note.pk).update(
            created_at=now - timedelta(days=7 * (i % 4), hours=1)
        )


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _tab_to(page, name: str, tries: int = 12) -> None:
    for _ in range(tries):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name} is not reachable with Tab")


def test_a_manager_opens_needs_from_results_filters_by_segment_with_keys_and_sees_the_chart(
    demo_world, page, live_server, sign_in
):
    _notes()
    sign_in("cvm1")

    page.get_by_role("link", name="Results", exact=True).click()
    page.get_by_role("link", name="What customers need", exact=False).first.click()
    expect(page.get_by_role("heading", name="What customers need", exact=True)).to_be_visible()
    expect(page.locator("#notes-total")).to_have_text("12")

    page.get_by_label("Segment", exact=True).focus()
    page.keyboard.type("Small")
    _tab_to(page, "Show")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "segment=small_business" in page.url
    expect(page.locator("#notes-total")).to_have_text("8")
    chart = page.locator("#chart-needs")
    expect(chart).to_have_attribute("data-drawn", "true")
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert len(chart.evaluate("c => c.toDataURL()")) > 5000  # something was painted
    expect(page.locator("#top-needs tbody tr").first).to_contain_text("Wants a cheaper plan")
    shot(page, "h5_insights")

    page.set_viewport_size({"width": 1024, "height": 768})
    page.reload()
    expect(page.locator("#chart-needs")).to_have_attribute("data-drawn", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    shot(page, "h5_insights_1024")
