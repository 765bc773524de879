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
  request; on PostgreSQL its generation is read in the same statement as the customer
  (``fast.respond(watch_stop=True)``, ``channels.api.decisions.answer``): no round trip of its own;
- Django's request signals (connections given back or closed as CONN_MAX_AGE says), the
  logging of 4xx answers, an unexpected error logged and answered with Django's 500 page
  (``response_for_exception``), and the answer closed by the server (so work to do after the
  answer, a degraded decision's count, runs as before).

The answer itself is not Django's HttpResponse passed through those middleware: their
answers are the same on every ordinary answer but for the language and HSTS, so they are
worked out once, by their own ``process_response``, and added to a lean ``Answer`` (about a
tenth of a decision's CPU). Where URLs carry a language prefix the middleware's methods are
called on every request as before. tests/channels/test_api_front.py compares every header
with Django's path's, for each language and scheme.

Sessions and users are not needed: an API key authenticates, and a request with a session
cookie but no key is not ordinary. Whatever ``fast.respond`` does not answer (a refusal, an
unusual body, over the rate…) goes on to Django's handler with the body as it came.
"""

from __future__ import annotations

import contextlib
import io
from http.client import responses

import orjson
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import signals
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.http import HttpRequest, HttpResponse
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix, set_urlconf
from django.utils import translation
from django.utils.log import log_response

from . import fast
from .views import DecisionView

PATH = "/api/v1/decisions/"


def _unused(_request):  # the middleware are called method by method, never as a chain
    raise AssertionError("not a chain")


class Answer:
    """A decision's answer as the WSGI server takes it: the JSON and its headers, closed as
    Django's response closes (what runs after the answer, then ``request_finished``). Django's
    HttpResponse, and the middleware's answers passed through it, cost a tenth of a decision's
    CPU for headers that are the same on every answer (``DecisionFront.lean``)."""

    def __init__(self, view, status: int, body: dict) -> None:
        self.status_code, self.reason_phrase = status, responses[status]
        self.content = orjson.dumps(body)
        self.headers = [
            ("Content-Type", "application/json"),
            ("Allow", view.allow),
            ("Content-Length", str(len(self.content))),
        ]
        self._resource_closers: list = []

    def __iter__(self):
        yield self.content

    def close(self) -> None:
        for closer in self._resource_closers:
            with contextlib.suppress(Exception):  # as HttpResponse.close: the answer has gone
                closer()
        self._resource_closers.clear()
        signals.request_finished.send(sender=None)


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
        self.view.allow = ", ".join(self.view.allowed_methods)
        # The answers of the middleware are the same for every ordinary answer but for the
        # language, and HSTS on a secure request: worked out once by the middleware's own
        # methods, for a secure request and for another, and added to each ``Answer`` — unless
        # the URLs carry a language prefix, where the language depends on the path.
        self.lean = not is_language_prefix_patterns_used(self.urlconf)[0]
        self.added = {secure: self._added_by_security(secure) for secure in (False, True)}
        # Only if the API's handler runs these (settings.API_MIDDLEWARE): otherwise this door
        # would answer differently from it, so it stays shut.
        self.open = {
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "campaigns.governance.stop_signal.StopSignalMiddleware",
        } <= set(settings.API_MIDDLEWARE)

    def _added_by_security(self, secure: bool) -> list[tuple[str, str]]:
        """The headers SecurityMiddleware adds to an answer that has none of them."""
        probe, response = HttpRequest(), HttpResponse()
        probe.is_secure = lambda: secure
        before = set(response.headers)
        response = self.security.process_response(probe, response)
        return [(name, value) for name, value in response.items() if name not in before]

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
        if type(response) is Answer:
            headers = response.headers
        else:
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
        if self.lean:
            # LocaleMiddleware.process_request where no URL has a language prefix
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = language = translation.get_language()
            response = fast.respond(self.view, request, watch_stop=True, render=Answer)
            if response is not None:
                # CommonMiddleware gave Content-Length (Answer has it); LocaleMiddleware's and
                # SecurityMiddleware's answers:
                response.headers += [
                    ("Vary", "Accept-Language"),
                    ("Content-Language", language),  # the answer does not change it
                    *self.added[request.is_secure()],
                ]
            return response
        self.locale.process_request(request)
        # The stop signal is observed with the customer's read (``answer``); whatever goes
        # back to Django's path before that observes it there.
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
