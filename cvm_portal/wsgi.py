"""WSGI entry point, for gunicorn: ``gunicorn cvm_portal.wsgi``.

Requests under ``/api/v1/`` (the channels' API: API keys, JSON, no pages) go through a handler
with a short middleware stack, ``settings.API_MIDDLEWARE``; every other request through the
whole stack of ``settings.MIDDLEWARE``. The browser's middleware (messages, htmx, idle
sign-out, axes, change-history attribution, CSP, clickjacking) did nothing for an API call but
cost about a third of a decision's time. What the API needs is kept: the HTTPS redirect and
HSTS (SecurityMiddleware, as for every page), the language (LocaleMiddleware:
Accept-Language, Content-Language), sessions and users so that a signed-in person is
recognised and refused with 403, and the kill switch's stop signal (a stop holds on the next
request, here too). Its processes also remember verified API keys for a few seconds
(``channels.api.auth``: a revoked key stops working within CVM_API_KEY_CACHE_SECONDS).
An ordinary decision request is answered in front of even that handler
(``channels.api.front``), by the same middleware's methods called one by one.
"""

import os

from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvm_portal.settings")

API_PREFIX = "/api/v1/"


class ApiHandler(WSGIHandler):
    """Django's WSGI handler with ``settings.API_MIDDLEWARE`` as its middleware."""

    def load_middleware(self, is_async: bool = False) -> None:
        from django.conf import settings

        saved = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = saved


def make_application(front: bool = True):
    """The portal's WSGI application: ``/api/v1/`` to the lean handler, the rest to Django's;
    ``front``: an ordinary decision request answered before even the lean handler (off only
    to measure what it gives: bench/api_bench.py --without-front)."""
    import django

    django.setup(set_prefix=False)
    from channels.api.auth import remember_keys
    from channels.api.front import DecisionFront

    remember_keys()  # verified keys held briefly in memory: CVM_API_KEY_CACHE_SECONDS
    pages, api = WSGIHandler(), ApiHandler()
    if front:
        api = DecisionFront(api)  # an ordinary decision request answered before Django's handler

    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(API_PREFIX):
            return api(environ, start_response)
        return pages(environ, start_response)

    return application


application = make_application()
