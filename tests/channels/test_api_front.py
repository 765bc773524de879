"""The decision API's front door (``channels.api.front``): an ordinary decision request answered
in front of Django's handler, with the same answer, headers, refusals, throttle, kill switch
and key revocation as the API's handler gives."""

import io
import json
import time

import pytest
from django.core.cache import cache

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.governance.kill_switch import resume, stop
from campaigns.models import Decision, StopScope
from channels.api import auth
from channels.api.front import DecisionFront
from channels.models import ApiKey
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role, sync_role_groups
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    api_client,
    target_group,
    user_with_role,
)

BODY = {"customer_id": "C0042", "channel_kind": "web"}

# Imported here, with the settings as they are: the import builds the portal's application
# (as gunicorn does), whose handlers read the settings once; built inside a test that changes
# them, it would keep them for every later test. It also makes this process remember keys,
# which only the test of revocation wants.
_remembering = auth._remember[0]
from cvm_portal.wsgi import ApiHandler  # noqa: E402

auth.remember_keys(_remembering)


def _world():
    sync_role_groups()
    customer = CustomerFactory(external_id="C0042", consent_digital=True, consent_marketing=True)
    offer = OfferFactory(code="DATA-20", channel_kinds=[ChannelKind.WEB])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.WEB]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.3}])
    _client, key = api_client()
    return campaign, key


@pytest.fixture
def production(settings):
    """HTTPS behind a proxy, HSTS, as in production (settings read when the handlers are made)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.ALLOWED_HOSTS = ["api.example.com"]
    return settings


class Doors:
    """The front door and, behind it, the API's Django handler; which of them answered."""

    def __init__(self) -> None:
        self.django = ApiHandler()
        self.front = DecisionFront(self._behind)
        self.fell_back = []

    def _behind(self, environ, start_response):
        self.fell_back.append(True)
        return self.django(environ, start_response)

    def ask(self, handler, key: str, body=BODY, **extra) -> tuple[int, dict, bytes]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/decisions/", "QUERY_STRING": "",
            "SERVER_NAME": "api.example.com", "SERVER_PORT": "80",
            "HTTP_HOST": "api.example.com", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw)),
            "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Api-Key {key}",
            "HTTP_X_FORWARDED_PROTO": "https", "HTTP_ACCEPT_LANGUAGE": "pl",
            "REMOTE_ADDR": "127.0.0.1", **extra,
        }  # fmt: skip
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        response = handler(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
        return answer["status"], answer["headers"], content


def _without_ids(content: bytes):
    try:
        answer = json.loads(content)
    except ValueError:  # a redirect, Django's HTML 400 page
        return content
    if "offers" in answer:
        answer["decision_id"] = None
        answer["offers"] = [{**o, "presentation_id": None} for o in answer["offers"]]
    return answer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("body", [BODY, {**BODY, "explain": True, "context": {"page": "/tv"}}])
def test_the_front_door_answers_with_the_same_body_and_headers_as_django(production, body):
    # Given a client, the front door and Django's handler behind it
    _campaign, key = _world()
    doors = Doors()
    # When the same decision is asked of each
    quick = doors.ask(doors.front, key, body)
    assert doors.fell_back == []  # answered at the door
    whole = doors.ask(doors.django, key, body)
    # Then the status, the answer and every header are the same (HSTS and the other security
    # headers, the language, Vary); only the ids differ, and so perhaps the length
    assert quick[0] == whole[0] == 201, (quick, whole)
    assert _without_ids(quick[2]) == _without_ids(whole[2])
    assert json.loads(quick[2])["offers"][0]["offer_code"] == "DATA-20"
    quick_headers, whole_headers = dict(quick[1]), dict(whole[1])
    assert sorted(h for h, _v in quick[1]) == sorted(h for h, _v in whole[1])
    quick_headers.pop("Content-Length"), whole_headers.pop("Content-Length")
    assert quick_headers == whole_headers
    assert quick_headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    assert quick_headers["Content-Language"] == "pl"
    assert "Set-Cookie" not in quick_headers
    # and both decisions were recorded with their audit rows
    assert Decision.objects.count() == 2
    assert AuditEvent.objects.filter(action="decide", detail="api").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("case", "https", "extra", "language"),
    [
        ("no language asked", True, {"HTTP_ACCEPT_LANGUAGE": ""}, "en"),
        ("a list of languages", True, {"HTTP_ACCEPT_LANGUAGE": "de-DE,pl;q=0.9,en;q=0.5"}, "pl"),
        ("a language nobody speaks", True, {"HTTP_ACCEPT_LANGUAGE": "xx"}, "en"),
        ("the language cookie", True, {"HTTP_COOKIE": "django_language=pl"}, "pl"),
        ("plain HTTP allowed: no HSTS", False, {"HTTP_X_FORWARDED_PROTO": "http"}, "pl"),
    ],
)
def test_the_front_door_s_language_and_security_headers_are_django_s(
    production, case, https, extra, language
):
    # Given a client and the doors; plain HTTP allowed in one case (no redirect, no HSTS)
    production.SECURE_SSL_REDIRECT = https
    _campaign, key = _world()
    doors = Doors()
    # When the same decision is asked of each, in this language and on this scheme
    quick = doors.ask(doors.front, key, **extra)
    whole = doors.ask(doors.django, key, **extra)
    # Then the door answered it, with Django's headers: the language, Vary, HSTS or none
    assert doors.fell_back == [], case
    assert quick[0] == whole[0] == 201, case
    quick_headers, whole_headers = dict(quick[1]), dict(whole[1])
    quick_headers.pop("Content-Length"), whole_headers.pop("Content-Length")
    assert quick_headers == whole_headers, case
    assert quick_headers["Content-Language"] == language, case
    assert ("Strict-Transport-Security" in quick_headers) is https, case
    assert _without_ids(quick[2]) == _without_ids(whole[2]), case


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("case", "extra", "body", "status"),
    [
        ("plain HTTP: the HTTPS redirect", {"HTTP_X_FORWARDED_PROTO": "http"}, BODY, 301),
        ("a host not allowed", {"HTTP_HOST": "evil.example.com"}, BODY, 400),
        ("a form", {"CONTENT_TYPE": "application/x-www-form-urlencoded"}, b"a=1", 415),
        ("broken JSON", {}, b'{"customer_id": ', 400),
        ("a key the serializer ignores", {}, {**BODY, "unknown": 1}, 201),
        ("another kind", {}, {**BODY, "channel_kind": "app"}, 403),
        ("a wrong key", {"HTTP_AUTHORIZATION": "Api-Key nope.nope"}, BODY, 401),
    ],
)
def test_what_is_not_ordinary_is_answered_as_django_answers_it(
    production, case, extra, body, status
):
    # Given a client and the doors
    _campaign, key = _world()
    doors = Doors()
    # When an unusual request comes to the front door, and the same to Django's handler
    quick = doors.ask(doors.front, key, body, **extra)
    whole = doors.ask(doors.django, key, body, **extra)
    # Then both answer alike (the body, read at the door, reached Django's handler whole)
    assert quick[0] == whole[0] == status, (case, quick, whole)
    assert _without_ids(quick[2]) == _without_ids(whole[2]), case
    assert sorted(h for h, _v in quick[1]) == sorted(h for h, _v in whole[1]), case
    if status == 403:  # refused at the door itself, in the same words
        assert doors.fell_back == []
    else:
        assert doors.fell_back == [True], case


@pytest.mark.django_db(transaction=True)
def test_the_client_s_rate_holds_at_the_front_door(production):
    # Given a client allowed 2 calls a minute
    _campaign, key = _world()
    production.REST_FRAMEWORK = {
        **production.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **production.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "channel": "2/minute",
        },
    }
    cache.clear()
    doors = Doors()
    # When it calls three times
    answers = [doors.ask(doors.front, key) for _ in range(3)]
    # Then the third is refused with 429 and Retry-After, and not recorded
    assert [a[0] for a in answers] == [201, 201, 429]
    assert "Retry-After" in dict(answers[2][1])
    assert Decision.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_revoked_key_stops_working_at_the_front_door_within_5_seconds(production, monkeypatch):
    # Given a key this process remembers, as gunicorn's workers do
    _campaign, key = _world()
    doors = Doors()
    auth.remember_keys()
    try:
        assert doors.ask(doors.front, key)[0] == 201
        # When another process revokes it (no signal reaches this one)
        ApiKey.objects.filter(prefix=key.split(".")[0]).update(revoked=True)
        assert production.CVM_API_KEY_CACHE_SECONDS <= 5
        later = time.monotonic() + production.CVM_API_KEY_CACHE_SECONDS + 0.01
        monkeypatch.setattr(auth.time, "monotonic", lambda: later)
        # Then once the memory's time is up the key is refused, by Django's path: 401
        status, _headers, content = doors.ask(doors.front, key)
    finally:
        auth.remember_keys(False)
    assert status == 401, content
    assert doors.fell_back == [True]


@pytest.fixture(params=["the cache as configured", "Redis down"])
def cache_state(request, settings):
    """The configured cache, or a Redis that does not answer (a port nothing listens on)."""
    from cvm_portal import cache as portal_cache

    if request.param == "Redis down":
        portal_cache._outages.clear()
        settings.CACHES = {
            "default": {
                "BACKEND": "cvm_portal.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:9/0",
            }
        }
        yield request.param
        portal_cache._outages.clear()
    else:
        yield request.param


@pytest.mark.django_db(transaction=True)
def test_a_stop_holds_at_the_front_door_on_the_very_next_request(production, cache_state):
    # Given a decision answered at the door (its catalogue warm), the cache up or down
    campaign, key = _world()
    doors = Doors()
    assert json.loads(doors.ask(doors.front, key)[2])["offers"]
    # When a CVM manager stops the campaign
    manager = user_with_role(Role.CVM_MANAGER)
    record = stop(scope=StopScope.CAMPAIGN, target=campaign, reason="Wrong price", by=manager)
    # Then the very next decision offers nothing of it; resumed, the next one offers it again
    assert json.loads(doors.ask(doors.front, key)[2])["offers"] == []
    resume(stop_record=record, by=manager)
    assert json.loads(doors.ask(doors.front, key)[2])["offers"]
    assert doors.fell_back == []


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_is_answered_as_django_answers_it(production, monkeypatch):
    # Given a decision that fails unexpectedly, whichever door it comes through
    _campaign, key = _world()
    doors = Doors()

    def broken(*args, **kwargs):
        raise RuntimeError("the decision broke")

    monkeypatch.setattr("channels.api.fast.answer", broken)
    # When it is asked of each door
    quick = doors.ask(doors.front, key)
    whole = doors.ask(doors.django, key)
    # Then both answer Django's 500 page, with the same headers (HSTS too)
    assert quick[0] == whole[0] == 500
    assert quick[2] == whole[2]
    assert dict(quick[1]) == dict(whole[1])
    assert doors.fell_back == []
