"""Smoke tests in a real browser: sign in, land on the workspace, usable on a tablet and by keyboard."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_store1_signs_in_and_lands_on_the_store_workspace(demo_world, page, live_server, sign_in):
    sign_in("store1")
    expect(page).to_have_url(f"{live_server.url}/console/")
    expect(page.get_by_role("heading", name="Customer console")).to_be_visible()
    expect(page.get_by_text("Warszawa Złote Tarasy store")).to_be_visible()
    expect(page.get_by_role("heading", name="Programmes live in your channel now")).to_be_visible()
    expect(page.get_by_role("heading", name="Keep our best customers on 5G")).to_be_visible()


def test_a_wrong_password_is_explained_and_the_username_kept(
    demo_world, page, live_server, sign_in
):
    sign_in("store1", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("store1")


def test_the_console_is_ready_to_type_into(demo_world, page, live_server, sign_in):
    sign_in("store1")
    expect(page.get_by_label("Phone number or customer id")).to_be_focused()


def test_keyboard_users_can_skip_to_content_and_see_where_focus_is(
    demo_world, page, live_server, sign_in
):
    sign_in("cvm1")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize("width", [768, 1280])
@pytest.mark.parametrize(
    ("username", "path"), [("store1", "/console/"), ("cvm1", "/cvm/"), ("lead1", "/team/")]
)
def test_workspaces_fit_a_tablet_and_a_desk_without_sideways_scrolling(
    demo_world, page, live_server, sign_in, width, username, path
):
    page.set_viewport_size({"width": width, "height": 1000})
    sign_in(username)
    expect(page).to_have_url(f"{live_server.url}{path}")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"


def test_signing_out_returns_to_the_sign_in_page(demo_world, page, live_server, sign_in):
    sign_in("cvm1")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/cvm/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/cvm/")
