"""The pages a person meets when something goes wrong: a form the CSRF check refused, and a
server error. Both are the portal's own, say what happened and what to do, in the person's
language; neither is Django's bare page."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path

from cvm_portal import urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@login_not_required
def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), *urls.urlpatterns]
handler500 = urls.handler500

LOGIN = "/accounts/login/"


def refused_sign_in(client: Client, **headers):
    """A sign-in whose form has no CSRF token (the page was open too long: its token is gone)."""
    return client.post(LOGIN, {"username": "store1", "password": "x"}, headers=headers)


def test_a_form_the_csrf_check_refuses_gets_the_portals_page_with_a_way_back():
    client = Client(enforce_csrf_checks=True)

    answer = refused_sign_in(client, referer=f"http://testserver{LOGIN}")

    assert answer.status_code == 403
    page = answer.content.decode()
    assert "This form has expired" in page and "Nothing was saved" in page
    assert f'href="http://testserver{LOGIN}"' in page  # back to the page the form came from
    assert "CSRF verification failed" not in page  # not Django's bare page
    # The page hands out a fresh token: the form sent again from the reopened page goes through
    reopened = client.get(LOGIN)
    token = reopened.cookies["csrftoken"].value
    again = client.post(
        LOGIN, {"username": "nobody", "password": "x", "csrfmiddlewaretoken": token}
    )
    assert again.status_code == 200  # the sign-in form again (wrong password), not a 403


def test_the_way_back_never_leads_to_another_site():
    answer = refused_sign_in(Client(enforce_csrf_checks=True), referer="https://evil.example/x")

    assert answer.status_code == 403
    page = answer.content.decode()
    assert "evil.example" not in page
    assert 'class="button" href="/"' in page  # the workspace instead


def test_the_csrf_page_speaks_the_persons_language():
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "pl"

    answer = refused_sign_in(client)

    assert answer.status_code == 403
    assert 'lang="pl"' in answer.content.decode()
    assert "This form has expired" not in answer.content.decode()


def test_a_server_error_is_the_portals_page_and_needs_no_static_manifest(client, settings):
    # Production storage with no collectstatic run: a page using {% static %} would fail again
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    client.raise_request_exception = False

    answer = client.get("/broken/")

    assert answer.status_code == 500
    page = answer.content.decode()
    assert "Something went wrong on our side" in page
    assert "may not have been saved" in page
    assert f'href="{settings.STATIC_URL}css/portal.css"' in page
    assert 'href="/"' in page
