"""The decision API's front door: ``POST /api/v1/decisions/`` answered at the WSGI level.

Django's handler (URL resolution, the middleware chain built of closures, the view's
``as_view`` wrapper and APIView's set-up) cost about a fifth of a decision's CPU for a request
whose answer is already written by hand (``channels.api.fast``). ``DecisionFront`` sits in
front of the API's handler (``cvm_portal.wsgi``): for a request that looks ordinary — POST to
exactly that path, a JSON body, an ``Api-Key`` — it does itself what the API's middleware does
for it, by calling the same middleware's own methods, so the answers cannot drift apart:

- ``SecurityMiddleware``: its HTTPS redirect (a redirect is left to Django's path), then on the
  answer HSTS, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy;
- ``CommonMiddleware``: the host check (a disallowed host is left to Django's path: 400) and
  Content-Length;
- ``LocaleMiddleware``: the language from Accept-Language, Content-Language and Vary;
- the stop signal (``campaigns.governance.stop_signal``): a kill-switch stop holds on the next
  request; its generation is read in the same Redis round trip as the client's throttle count
  (``fast.respond(watch_stop=True)``), so a request costs one round trip to Redis, not two;
- Django's request signals (connections given back or closed as CONN_MAX_AGE says), the
  logging of 4xx answers, an unexpected error logged and answered with Django's 500 page
  (``response_for_exception``), and the answer closed by the server (so work to do after the
  answer, a degraded decision's count, runs as before).

Sessions and users are not needed: an API key authenticates, and a request with a session
cookie but no key is not ordinary. Whatever ``fast.respond`` does not answer (a refusal, an
unusual body, over the rate…) goes on to Django's handler with the body as it came.
"""

from __future__ import annotations

import io

from django.core import signals
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix, set_urlconf
from django.utils.log import log_response

from . import fast
from .views import DecisionView

PATH = "/api/v1/decisions/"


def _unused(_request):  # the middleware are called method by method, never as a chain
    raise AssertionError("not a chain")


class DecisionFront:
    """A WSGI application: ordinary decision requests answered here, all else by ``fallback``
    (the API's Django handler)."""

    def __init__(self, fallback) -> None:
        from django.conf import settings

        self.fallback = fallback
        self.urlconf = settings.ROOT_URLCONF
        self.security = SecurityMiddleware(_unused)
        self.common = CommonMiddleware(_unused)
        self.locale = LocaleMiddleware(_unused)
        self.view = DecisionView()
        self.view.headers = {}
        # Only if the API's handler runs these (settings.API_MIDDLEWARE): otherwise this door
        # would answer differently from it, so it stays shut.
        self.open = {
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "campaigns.governance.stop_signal.StopSignalMiddleware",
        } <= set(settings.API_MIDDLEWARE)

    def __call__(self, environ, start_response):
        if not (
            self.open
            and environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") == "POST"
            and environ.get("HTTP_AUTHORIZATION", "")[:8].lower() == "api-key "
        ):
            return self.fallback(environ, start_response)
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=self.__class__, environ=environ)
        request = WSGIRequest(environ)
        try:
            response = self.respond(request)
        except Exception as exc:  # noqa: BLE001 - as Django's handler: logged, a 500 page
            response = self.after(request, response_for_exception(request, exc))
        if response is None:
            if hasattr(request, "_body"):  # read here: Django's path reads it again
                environ["wsgi.input"] = io.BytesIO(request._body)
            # Django's path starts the request again (its own request_started): the
            # connections are checked twice, which changes nothing.
            return self.fallback(environ, start_response)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response(
                "%s: %s", response.reason_phrase, request.path, response=response, request=request
            )
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(status, headers)
        return response  # the server closes it: request_finished, then what runs after

    def respond(self, request):
        """The answer, through the API's middleware as Django's handler would pass it, or
        None: for Django's handler."""
        set_urlconf(self.urlconf)
        if self.security.process_request(request) is not None:
            return None  # the HTTPS redirect
        try:
            if self.common.process_request(request) is not None:
                return None  # a redirect (PREPEND_WWW)
        except (DisallowedHost, PermissionDenied):  # a host or user agent Django refuses
            return None
        self.locale.process_request(request)
        # The stop signal is observed with the client's count, in one round trip with it;
        # whatever goes back to Django's path before that observes it there.
        response = fast.respond(self.view, request, watch_stop=True)
        if response is None:
            return None
        return self.after(request, response)

    def after(self, request, response):
        """``response`` through the middleware's answers, innermost first, as Django's
        handler passes it."""
        response = self.common.process_response(request, response)
        response = self.locale.process_response(request, response)
        return self.security.process_response(request, response)
