"""API rates: calls without valid credentials per address, signed-in people per user; counted in
the shared cache, and lifted (never failing the API) while the cache is down."""

import socket

import pytest
from rest_framework.settings import api_settings

from cvm_portal.roles import Role

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/decisions/"
DOCS = "/api/docs/"  # a signed-in person's API page, under the project's default throttles


@pytest.fixture
def rates(settings):
    def _rates(**scopes):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "channel": None, **scopes},
        }
        assert api_settings.DEFAULT_THROTTLE_RATES["anon"] == scopes.get("anon")  # reloaded

    return _rates


def anonymous_call(client, address="10.3.3.3", **headers):
    return client.post(
        DECISIONS, {"customer_id": "C1"}, content_type="application/json", REMOTE_ADDR=address,
        **headers,
    )  # fmt: skip


def test_calls_without_credentials_are_throttled_per_address(client, rates):
    rates(anon="3/minute")
    refused = [anonymous_call(client).status_code for _ in range(3)]

    fourth = anonymous_call(client)
    other_address = anonymous_call(client, address="10.4.4.4")

    assert set(refused) <= {401, 403}
    assert fourth.status_code == 429 and int(fourth["Retry-After"]) <= 60
    assert "throttled" in fourth.json()["detail"]
    assert other_address.status_code in (401, 403)


def test_calls_with_a_wrong_key_are_counted_like_calls_without_one(client, rates):
    rates(anon="2/minute")
    wrong = {"HTTP_AUTHORIZATION": "Api-Key not.a-real-key"}
    anonymous_call(client, **wrong)
    anonymous_call(client)

    assert anonymous_call(client, **wrong).status_code == 429


def test_a_signed_in_person_is_throttled_per_user(client, make_user, rates):
    rates(user="2/minute")
    client.force_login(make_user(Role.CVM_MANAGER))
    allowed = [client.get(DOCS).status_code for _ in range(2)]

    third = client.get(DOCS)
    client.force_login(make_user(Role.CVM_MANAGER))
    colleague = client.get(DOCS)

    assert allowed == [200, 200]
    assert third.status_code == 429
    assert colleague.status_code == 200


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_while_the_cache_is_down_the_api_answers_unthrottled(client, make_user, rates, settings):
    rates(anon="1/minute", user="1/minute")
    settings.CACHES = {
        "default": {
            "BACKEND": "cvm_portal.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }

    anonymous = [anonymous_call(client).status_code for _ in range(3)]
    client.force_login(make_user(Role.CVM_MANAGER))
    signed_in = [client.get(DOCS).status_code for _ in range(3)]

    assert set(anonymous) <= {401, 403}
    assert signed_in == [200, 200, 200]


def test_a_large_rate_is_counted_in_blocks_and_a_small_one_call_by_call():
    from django.core.cache import cache

    from cvm_portal.api import _Leases, lease_size

    cache.clear()
    # A block is a hundredth of the rate, at most 50: a person's 20/second is counted exactly
    assert (lease_size(5000), lease_size(1000), lease_size(20), lease_size(2)) == (50, 10, 1, 1)
    worker, other_worker = _Leases(), _Leases()
    # One worker's 51 calls are numbered 1…51 and take two blocks of the shared counter
    assert [worker.take("throttle:t:1", 60, 50) for _ in range(51)] == list(range(1, 52))
    assert cache.get("throttle:t:1") == 100
    # Another worker's next call is numbered after both blocks: nobody exceeds the rate
    assert other_worker.take("throttle:t:1", 60, 50) == 101
    # Call by call (a block of 1) the shared counter is the count itself
    assert [worker.take("throttle:t:2", 60, 1) for _ in range(3)] == [1, 2, 3]
    assert cache.get("throttle:t:2") == 3
