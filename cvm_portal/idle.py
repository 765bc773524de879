"""Signing out a session left idle for ``CVM_SESSION_IDLE_MINUTES`` (counter PCs, shared tablets).

The time of the last request is kept in the session, rewritten at most once a minute, so a
busy agent's clicks do not each write the session row. ``SESSION_COOKIE_AGE`` is the same
timeout, so the session store drops an idle session by itself as well.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import resolve_url
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

LAST_SEEN = "cvm_last_seen"  # Unix seconds: sessions are stored as JSON
TOUCH_EVERY = 60


def stamp_sign_in(*, request=None, **_kwargs) -> None:
    """``user_logged_in`` receiver: a new session starts active, with nothing to write later."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Signs out a session idle longer than the timeout; the request then goes on anonymous,
    so the login-required rule sends it to the sign-in page (an htmx request: the whole page)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # SESSION_KEY, not request.user: an anonymous request never loads a user for this.
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            last_seen = session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.CVM_SESSION_IDLE_MINUTES * 60:
                return self.sign_out(request)
            if last_seen is None or now - last_seen >= TOUCH_EVERY:
                session[LAST_SEEN] = now
        return self.get_response(request)

    def sign_out(self, request):
        request.cvm_signed_out_idle = True  # read by the signed-out message (apps.py)
        logout(request)
        minutes = settings.CVM_SESSION_IDLE_MINUTES
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)d minute without activity.",
                "You were signed out after %(minutes)d minutes without activity.",
                minutes,
            )
            % {"minutes": minutes},
        )
        if request.headers.get("HX-Request") == "true":
            # A partial would swap the sign-in page into a corner of the screen.
            page = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
            )
        return self.get_response(request)
