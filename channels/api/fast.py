"""The decision API's fast path: ``POST /api/v1/decisions/`` without DRF's per-request machinery.

DRF's request wrapping, content negotiation, parser selection and serializers (built and
deep-copied for every call, in and out) cost more CPU than the decision itself. ``respond``
answers the ordinary request — a JSON body, JSON accepted, a valid API key, within the rate —
with the same checks written out by hand, the same ``answer`` (``channels.api.decisions``)
and the same JSON, rendered by orjson. Anything else returns None before anything is counted
or written, and DRF's whole path answers as it always did: every refusal (400, 401, 403 of a
session, 406, 413, 415, 429) and its body come from there, so they cannot drift apart. The one
refusal made here, a channel kind the client may not ask for, uses the same sentence
(``check_channel_kind``).

The body's rules are ``DecisionRequestSerializer``'s (the OpenAPI schema is generated from it):
``validate`` applies them to the forms a client sends; a form it does not know (an unknown
key, an intent or a budget written as text…) goes to the serializer, which decides.
tests/channels/test_api_fast_validation.py checks with generated bodies that whatever
``validate`` accepts the serializer accepts with the same values, and that whatever the
serializer refuses ``validate`` refuses.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import BooleanField, IntegerField

from campaigns import channel_registry
from campaigns import context as decision_context
from campaigns.choices import Device, ProductFamily

from .auth import ApiKeyAuthentication, check_channel_kind, verified_key
from .decisions import answer
from .serializers import CUSTOMER_ID_MAX_LENGTH, MAX_BUDGET_MS, MIN_BUDGET_MS
from .throttles import ApiClientThrottle

JSON_TYPES = frozenset({"application/json", "application/json; charset=utf-8"})
ACCEPTED = frozenset({None, "*/*", "application/json"})
FIELDS = frozenset({"customer_id", "channel_kind", "explain", "budget_ms", "context"})
FAMILIES = frozenset(ProductFamily.values)
DEVICES = frozenset(Device.values)
_BAD = object()  # a value the serializer refuses (or a form left to it)
_MISSING = object()


def respond(view, request, *, watch_stop: bool = False, render=None):
    """The answer to decision request ``request`` (Django's HttpRequest) for ``view``, as
    ``render`` makes it, or None: not an ordinary request, to be answered by DRF's whole path.
    Nothing is counted, recorded
    or audited before it is known that this path answers. ``watch_stop``: the stop signal was
    not observed yet (``channels.api.front``): it is, read with the customer (``answer``),
    before the decision. ``render(view, status, body)``: the answer made of the body (default:
    ``_render``, an HttpResponse; the front door's is leaner)."""
    started = time.monotonic()
    render = render or _render
    meta = request.META
    if meta.get("CONTENT_TYPE", "").lower() not in JSON_TYPES:
        return None
    if meta.get("HTTP_ACCEPT") not in ACCEPTED:
        return None
    asked = False
    if meta.get("QUERY_STRING"):
        query = request.GET
        if list(query) != ["explain"]:
            return None  # ?format=… and the like: DRF's negotiation decides
        asked = boolean(query["explain"])
        if asked is _BAD:
            return None
    header = meta.get("HTTP_X_DECISION_BUDGET_MS")
    header_budget = None if header is None else budget(header)
    if header_budget is _BAD:
        return None
    try:
        data = validate(orjson.loads(request.body))
    except (RequestDataTooBig, orjson.JSONDecodeError):
        return None
    if data is None:
        return None
    key = KEY_PARSER.get(request)
    api_key = verified_key(key.strip()) if key is not None else None
    if api_key is None or api_key.has_expired or not api_key.client.user.is_active:
        return None
    caller = SimpleNamespace(auth=api_key)
    if not ApiClientThrottle().allow_request(caller, view):
        return None  # DRF's path counts it again (over the rate either way) and answers 429
    try:
        check_channel_kind(caller, data["channel_kind"])
    except PermissionDenied as refused:
        return render(view, 403, {"detail": str(refused.detail)})
    request.user = user = api_key.client.user
    status, body, after = answer(
        request,
        user=user,
        data=data,
        explain=data["explain"] or asked,
        budget_ms=data.get("budget_ms") or header_budget or settings.CVM_DECISION_BUDGET_MS,
        started=started,
        watch_stop=watch_stop,
    )
    response = render(view, status, body)
    if after is not None:
        response._resource_closers.append(after)
    return response


KEY_PARSER = ApiKeyAuthentication.key_parser


def _render(view, status: int, body: dict) -> HttpResponse:
    """``body`` as JSON, with the headers DRF's response would carry."""
    response = HttpResponse(orjson.dumps(body), content_type="application/json", status=status)
    response["Allow"] = ", ".join(view.allowed_methods)
    return response


# --- the body's rules, as DecisionRequestSerializer's fields apply them -------------------------


def validate(body) -> dict | None:
    """The body's values as ``DecisionRequestSerializer(data=body).validated_data`` gives them,
    or None: refused, or in a form left to the serializer."""
    if type(body) is not dict or not body.keys() <= FIELDS:
        return None
    customer_id = text(body.get("customer_id", _MISSING), CUSTOMER_ID_MAX_LENGTH, trim=True)
    kind = choice(body.get("channel_kind", _MISSING), channel_registry.active_codes())
    explain = body.get("explain", False)
    explain = explain if type(explain) is bool else _BAD
    if customer_id is _BAD or kind is _BAD or explain is _BAD:
        return None
    data = {"customer_id": customer_id, "channel_kind": kind, "explain": explain}
    if "budget_ms" in body:
        given = body["budget_ms"]
        data["budget_ms"] = (
            budget(given)
            if type(given) is int or (type(given) is float and given.is_integer())
            else _BAD
        )
        if data["budget_ms"] is _BAD:
            return None
    if "context" in body:
        data["context"] = context(body["context"])
        if data["context"] is None:
            return None
    return data


def context(said) -> dict | None:
    """ContextSerializer's validated data, or None."""
    if type(said) is not dict:
        return None
    checked = {}
    for name, value in said.items():
        if name in ("page", "product"):
            limit = decision_context.PAGE_MAX_LENGTH if name == "page" else (
                decision_context.CODE_MAX_LENGTH
            )  # fmt: skip
            checked[name] = text(value, limit, trim=False)
        elif name == "family":
            checked[name] = choice(value, FAMILIES)
        elif name == "device":
            checked[name] = choice(value, DEVICES)
        elif name == "intent":
            checked[name] = choice(value, decision_context.intents())
        else:
            return None  # the serializer ignores it; it may also nest too deeply (400)
        if checked[name] is _BAD:
            return None
    return checked


def text(value, max_length: int, *, trim: bool):
    """A ``StringField``'s value (strings only; allow_blank False, allow_null False). Its
    refusal of surrogates needs no check: orjson refuses JSON that has one."""
    if type(value) is not str:
        return _BAD
    if trim:
        value = value.strip()
    if value == "" or len(value) > max_length or "\x00" in value:
        return _BAD
    return value


def choice(value, choices):
    """A ChoiceField's value (allow_blank False, allow_null False)."""
    if type(value) is not str or value not in choices:
        return _BAD
    return value


TRUE, FALSE = BooleanField.TRUE_VALUES, BooleanField.FALSE_VALUES


def boolean(value):
    """A BooleanField's value (allow_null False) as DRF reads it: the ``explain`` query
    parameter."""
    if value is None:
        return _BAD
    try:
        value = value.lower() if isinstance(value, str) else value
        if value in TRUE:
            return True
        if value in FALSE:
            return False
    except TypeError:  # a list or an object: not hashable
        pass
    return _BAD


def budget(value):
    """An IntegerField's value from MIN_BUDGET_MS to MAX_BUDGET_MS as DRF reads it: the
    header, and the body field once it is known to be a JSON integer."""
    if value is None or isinstance(value, bool | list | dict):
        return _BAD
    if isinstance(value, str) and len(value) > IntegerField.MAX_STRING_LENGTH:
        return _BAD
    try:
        number = int(IntegerField.re_decimal.sub("", str(value)))
    except (ValueError, TypeError):
        return _BAD
    return number if MIN_BUDGET_MS <= number <= MAX_BUDGET_MS else _BAD
