"""Every URL requires a login, except an explicit allow-list."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# URL names reachable without signing in, and why.
ALLOW_LIST = {
    "login",  # to sign in
    "health",  # load balancers
    "favicon",  # browsers ask for the tab's icon before anyone signs in
    "set_language",  # choosing a language on the sign-in page
    "admin:login",  # the admin's own sign-in
}


def all_urls(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_urls(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


def concrete(pattern: str) -> str:
    """Fill path converters and regex groups with a plausible value."""
    path = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000001", pattern)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    return "/" + path


URLS = sorted({(name or "", concrete(p)) for name, p in all_urls()})


def test_the_url_list_is_not_empty():
    assert len(URLS) > 20


PROTECTED = [
    (n, p) for n, p in URLS if n not in ALLOW_LIST and not p.startswith(("/static/", "/api/"))
]
# The API authenticates tokens itself: an anonymous call is refused with 401, not redirected.
# The catch-all under /api/v1/ is no endpoint: it answers a JSON 404 to an address that names
# no operation, signed in or not (tests/cvm_portal/test_api_errors.py).
API = [(n, p) for n, p in URLS if p.startswith("/api/") and n != "api:no-such-operation"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), API)
def test_every_api_endpoint_refuses_anonymous_calls(client, name, path):
    assert client.get(path).status_code in (401, 403)
    assert client.post(path, {}, content_type="application/json").status_code in (401, 403, 405)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), PROTECTED)
def test_every_url_requires_login_unless_allow_listed(client, name, path):
    response = client.get(path)
    assert response.status_code in (301, 302), (
        f"{name} {path} answered {response.status_code} to an anonymous user"
    )
    assert "/login/" in response.url, (
        f"{name} {path} redirected to {response.url}, not to a login page"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/health/", "/admin/login/"])
def test_allow_listed_pages_open_without_login(client, path):
    assert client.get(path).status_code == 200


def test_the_allow_list_names_real_urls():
    names = {n for n, _ in URLS}
    assert names >= ALLOW_LIST
