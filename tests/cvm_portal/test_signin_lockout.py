"""Sign-in lockout (django-axes): a username is paused from one address after repeated failures."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.utils import timezone

from cvm_portal.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    """The lockout as production has it, stated here so these tests do not depend on defaults."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.CVM_LOGIN_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, username="store7")


def sign_in(client, username, password, *, path=LOGIN, address="10.1.1.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, **kwargs):
    for _ in range(times):
        response = sign_in(client, username, "not-the-password", **kwargs)
    return response


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def comparable(response, username: str) -> str:
    """The page without what differs by design: the CSRF token and the username typed."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", body)
    return body.replace(f'value="{username}"', 'value=""')


def test_thirty_wrong_passwords_lock_the_username_so_the_right_one_no_longer_signs_in(
    client, agent
):
    fail(client, "store7", 30)

    response = sign_in(client, "store7", PASSWORD)

    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert not signed_in(client)


def test_the_fifth_failure_pauses_sign_in_and_says_for_how_long(client, agent):
    fourth = fail(client, "store7", 4)
    assert fourth.status_code == 200 and "correct username and password" in fourth.content.decode()

    fifth = fail(client, "store7", 1)

    page = fifth.content.decode()
    assert fifth.status_code == 429
    assert "paused after 5 failed attempts" in page and "Try again in 15 minutes" in page


def test_an_unknown_username_and_a_wrong_password_get_the_same_answer(client, agent):
    known, unknown = fail(client, "store7", 1), fail(client, "nobody9", 1)
    assert known.status_code == unknown.status_code == 200
    assert comparable(known, "store7") == comparable(unknown, "nobody9")

    known, unknown = fail(client, "store7", 10), fail(client, "nobody9", 10)

    assert known.status_code == unknown.status_code == 429
    assert comparable(known, "store7") == comparable(unknown, "nobody9")


def test_the_lockout_holds_for_that_address_only(client, agent):
    fail(client, "store7", 5, address="10.1.1.1")

    elsewhere = sign_in(client, "store7", PASSWORD, address="10.2.2.2")

    assert elsewhere.status_code == 302 and signed_in(client)


def test_one_address_locking_one_username_leaves_colleagues_behind_it_signed_in(
    client, agent, make_user
):
    make_user(Role.AGENT, username="store8")
    fail(client, "store7", 5, address="10.1.1.1")

    colleague = sign_in(client, "store8", PASSWORD, address="10.1.1.1")

    assert colleague.status_code == 302 and signed_in(client)


def test_behind_a_trusted_proxy_the_lockout_holds_for_the_forwarded_address(
    client, agent, settings
):
    settings.CVM_TRUSTED_PROXIES = 1
    proxy = {"address": "10.0.0.254"}
    for _ in range(5):
        client.post(
            LOGIN, {"username": "store7", "password": "nope"},
            REMOTE_ADDR=proxy["address"], HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5",
        )  # fmt: skip

    spoofed_left_part = client.post(
        LOGIN, {"username": "store7", "password": PASSWORD},
        REMOTE_ADDR=proxy["address"], HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5",
    )  # fmt: skip
    other_client = client.post(
        LOGIN, {"username": "store7", "password": PASSWORD},
        REMOTE_ADDR=proxy["address"], HTTP_X_FORWARDED_FOR="203.0.113.6",
    )  # fmt: skip

    assert spoofed_left_part.status_code == 429
    assert other_client.status_code == 302


def test_a_sign_in_after_a_few_typos_starts_the_count_again(client, agent):
    fail(client, "store7", 4)
    assert sign_in(client, "store7", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    fail(client, "store7", 4)
    response = sign_in(client, "store7", PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_the_lockout_ends_after_the_cool_off(client, agent):
    fail(client, "store7", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = sign_in(client, "store7", PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_axes_reset_username_lifts_a_lockout(client, agent):
    fail(client, "store7", 5)

    call_command("axes_reset_username", "store7", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert sign_in(client, "store7", PASSWORD).status_code == 302


def test_an_administrator_sees_and_deletes_lockouts_in_the_admin(client, agent, make_user):
    fail(client, "store7", 5)
    client.force_login(make_user(Role.ADMINISTRATOR))

    listing = client.get("/admin/axes/accessattempt/")
    attempt = AccessAttempt.objects.get()
    deleted = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="10.9.9.9"
    )
    client.post("/accounts/logout/")

    assert listing.status_code == 200 and "store7" in listing.content.decode()
    assert deleted.status_code == 302
    assert sign_in(client, "store7", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_locked_out_too(client, make_user):
    make_user(Role.ADMINISTRATOR, username="boss")
    fail(client, "boss", 5, path=ADMIN_LOGIN)

    response = sign_in(client, "boss", PASSWORD, path=ADMIN_LOGIN)

    assert response.status_code == 429 and not signed_in(client)


def test_the_lockout_page_is_translated(client, agent):
    client.cookies["django_language"] = "pl"

    response = fail(client, "store7", 5)

    assert response.status_code == 429
    assert "Logowanie wstrzymane" in response.content.decode()
