"""Sessions end after CVM_SESSION_IDLE_MINUTES without a request, and when the browser closes."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cvm_portal.idle import LAST_SEEN
from cvm_portal.roles import Role

pytestmark = pytest.mark.django_db

PAGE = "/accounts/password/"  # any signed-in user may open it


@pytest.fixture
def signed_in(client, make_user, settings):
    settings.CVM_SESSION_IDLE_MINUTES = 30
    client.force_login(make_user(Role.AGENT))
    return client


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time() - minutes * 60)
    session.save()


def test_a_session_idle_longer_than_the_timeout_is_sent_to_the_sign_in_page(signed_in):
    idle_for(signed_in, 31)

    response = signed_in.get(PAGE, follow=True)

    assert response.redirect_chain[0] == (f"/accounts/login/?next={PAGE}", 302)
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert signed_in.get(PAGE).status_code == 302  # the session is gone, not just this request


def test_an_active_session_is_not_signed_out(signed_in):
    idle_for(signed_in, 29)

    assert signed_in.get(PAGE).status_code == 200


def test_each_request_restarts_the_idle_time(signed_in):
    idle_for(signed_in, 20)
    signed_in.get(PAGE)

    assert int(time.time()) - signed_in.session[LAST_SEEN] < 5


def test_requests_within_a_minute_do_not_write_the_session(signed_in):
    signed_in.get(PAGE)

    with CaptureQueriesContext(connection) as queries:
        signed_in.get(PAGE)
        signed_in.get(PAGE)

    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_an_htmx_request_after_the_timeout_reloads_the_whole_page_on_the_sign_in_page(signed_in):
    idle_for(signed_in, 31)

    response = signed_in.get(
        PAGE, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/console/"
    )

    assert response.headers["HX-Redirect"] == "/accounts/login/?next=%2Fconsole%2F"


def test_the_session_cookie_ends_with_the_browser_and_the_stored_session_with_the_timeout():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == settings.CVM_SESSION_IDLE_MINUTES * 60
