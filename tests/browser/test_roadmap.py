"""The roadmap board in a real browser: the demo's web and app team member finds the board from
their home page, and moves their app item to "in progress" with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from campaigns.models import RoadmapItem, RoadmapStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_digital_team_member_updates_their_items_status_with_the_keyboard(
    demo_world, page, live_server, sign_in
):
    item = RoadmapItem.objects.get(initiative__name="Self-service data top-ups", channel_kind="app")
    assert item.status == RoadmapStatus.PLANNED

    # digital1 works on web and app: from My training to the board, narrowed to their channels.
    sign_in("digital1")
    page.get_by_role("link", name="Roadmap board", exact=False).click()
    expect(page.get_by_role("heading", name="Roadmap board")).to_be_visible()
    board = page.get_by_role("table")
    expect(board.get_by_role("columnheader", name="App")).to_be_visible()
    expect(board.get_by_role("columnheader", name="Store")).to_have_count(0)
    expect(page.locator(".roadmap-item.is-overdue")).to_have_count(1)  # the web address checker

    # Keyboard only: focus the item's update link, open it, choose the status, save.
    link = page.get_by_role("link", name="Update Self-service data top-ups · App")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status = page.get_by_label("Status")
    status.focus()
    page.keyboard.press("ArrowDown")  # planned → in progress
    expect(status).to_have_value("in_progress")
    # (Tab walks through the date's day, month and year fields; the notes come after them.)
    page.get_by_label("Notes").focus()
    page.keyboard.type("Design ready; building the tile.")
    page.keyboard.press("Tab")  # Save
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("saved as “In progress”")
    cell = page.locator(f"#item-{item.pk}")
    expect(cell.locator(".status")).to_have_text("In progress")
    expect(cell).to_contain_text("Design ready; building the tile.")
    item.refresh_from_db()
    assert item.status == RoadmapStatus.IN_PROGRESS
    assert item.updated_by.username == "digital1"

    # The store's items are not theirs to change.
    store = RoadmapItem.objects.filter(channel_kind="store").first()
    response = page.goto(f"{live_server.url}/cvm/roadmap/items/{store.pk}/")
    assert response is not None and response.status == 403
