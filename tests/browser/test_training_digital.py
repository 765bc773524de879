"""Digital teams in a real browser: the demo's web and app team member signs in, lands on their
training, reads the guide written for web and app, passes its quiz, and has no console."""

import pytest
from playwright.sync_api import expect

from training.demo import DIGITAL_TITLE

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_digital_team_member_signs_in_reads_the_guide_and_passes_the_quiz(
    demo_world, page, live_server, sign_in
):
    # digital1 works on web and app: their home is My training, with the guide for their channels.
    sign_in("digital1")
    expect(page.get_by_role("heading", name="My training")).to_be_visible()
    expect(page.locator(".usermenu .role")).to_have_text("Digital team member")
    expect(page.get_by_role("link", name="Customer console")).to_have_count(0)

    page.get_by_role("link", name=DIGITAL_TITLE).click()
    expect(page.locator(".guide-text strong").first).to_have_text("next best offer")
    page.get_by_role("button", name="I have read and understood this guide").click()
    expect(page.get_by_text("Now take the quiz")).to_be_visible()
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_label("When the portal answers").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Not passed yet")).to_be_visible()
    page.get_by_role("link", name="Try again").click()
    page.get_by_label("When the offer is really shown to the customer").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Passed")).to_be_visible()

    page.goto(f"{live_server.url}/training/mine/")
    expect(page.locator("section[aria-labelledby=group-completed]")).to_contain_text(DIGITAL_TITLE)

    # The agent console is not theirs.
    response = page.goto(f"{live_server.url}/console/")
    assert response is not None and response.status == 403
