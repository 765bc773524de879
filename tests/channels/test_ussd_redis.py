"""Redis lost in the middle of USSD sessions: callers keep their menu and their choices are
recorded once; new callers are still served. Runs on a Redis of its own (``own_redis``)."""

import time

import pytest

from campaigns import catalogue
from campaigns.models import Decision, Response
from tests.channels.test_ussd import body, dial, ussd_world

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

QUICK = 0.5  # seconds: a caller on a phone must not wait for a dead Redis


@pytest.fixture
def redis_cache(own_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "cvm_portal.cache.RedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "cvm-ussd-test",
        }
    }
    catalogue.recheck()
    yield own_redis
    catalogue.recheck()


def test_with_redis_killed_mid_session_the_caller_goes_on_from_the_database(redis_cache):
    # Given a caller whose session is kept in Redis
    world = ussd_world(others=1)
    menu = body(dial(world))
    assert redis_cache.client().keys("*ussd:*")
    # When Redis dies
    redis_cache.kill()
    # Then the same session goes on, the same screens, the answer recorded once, quickly
    started = time.perf_counter()
    assert body(dial(world)) == menu
    assert body(dial(world, "2")).startswith("CON Fibre 1 Gb/s at home")
    thanks = body(dial(world, "2*1"))
    assert (
        body(dial(world, "2*1"))
        == thanks
        == ("END Thank you! We have noted that you accept the offer.")
    )
    # ...and a new caller still gets a menu
    newcomer = dial(world, session="after-redis", phone=world["phones"][0])
    assert body(newcomer).startswith("CON Offers for you:")
    took = (time.perf_counter() - started) / 5
    assert took < QUICK, took
    assert Decision.objects.count() == 2
    assert Response.objects.get().offer.code == "FIBRE-1G"
