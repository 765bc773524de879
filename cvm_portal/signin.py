"""Sign-in protection: django-axes' lockout, the client address it keys on, and its page.

A username is locked out *from one address* after ``CVM_LOGIN_FAILURE_LIMIT`` failed
sign-ins, for ``CVM_LOGIN_COOLOFF_MINUTES`` (see ``docs/security.md``). Keying on the pair,
not on the address alone, keeps a whole call centre behind one NAT address signed in when a
few agents mistype; not on the username alone, so nobody can lock a colleague out from
elsewhere.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """axes' check, first of the backends: a locked-out username and address stop here.

    A call without a request (the test client's ``login()``, the shell) comes from this
    server, not from a client whose failures could be counted, so it goes on to the next
    backend instead of failing as axes' own backend does. Every sign-in over HTTP passes its
    request (Django's login and admin forms do); ``tests/cvm_portal/test_signin_lockout.py``
    holds both to it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, read past ``CVM_TRUSTED_PROXIES`` reverse proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the client is the
    N-th entry from the right; anything left of it was written by the client and is ignored.
    The same rule as DRF's ``NUM_PROXIES``, which the API's throttles use.
    """
    proxies = settings.CVM_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))] or None
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, *_response_and_credentials) -> HttpResponse:
    """The page a locked-out sign-in gets: the same for every username, known or not."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.CVM_LOGIN_COOLOFF_MINUTES,
    }
    return render(request, "registration/locked_out.html", context, status=429)
