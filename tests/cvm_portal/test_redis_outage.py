"""Redis lost: agents keep getting decisions quickly, /health/ names the part that failed, and
queueing work says it could not be done instead of failing the page.

Every test here runs on a Redis of its own (``own_redis``), which it kills; never the shared one.
"""

import statistics
import time

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from campaigns import catalogue
from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import OfferContent
from channels.console.links import customer_url
from cvm_portal import cache as portal_cache
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
)
from tests.services import Unanswering, broker_at

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

# A page an agent waits for must not wait for a dead Redis. Generous for a busy CI machine;
# the figures measured are far below (see each test).
QUICK = 0.5  # seconds


def use_cache_at(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "cvm_portal.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "cvm-outage-test",
        }
    }
    catalogue.recheck()


@pytest.fixture
def redis_cache(own_redis, settings):
    """The cache on the test's own Redis."""
    use_cache_at(settings, own_redis.url)
    yield own_redis
    catalogue.recheck()


@pytest.fixture
def world(client, make_user):
    customer = CustomerFactory(
        external_id="C0042", phone="+48501234567", consent_marketing=True, consent_sms=True
    )
    offer = OfferFactory(
        code="FIBRE-1G",
        title="Fibre 1 Gb/s",
        channel_kinds=[ChannelKind.STORE, ChannelKind.USSD],
    )
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE, agent_script="Fibre is here.")
    OfferContentFactory(
        offer=offer, channel_kind=ChannelKind.USSD, agent_script="", short_text="Fibre 1G"
    )
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[ChannelKind.STORE, ChannelKind.USSD],
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    _gateway, key = api_client("ussd-gateway", kinds=[ChannelKind.USSD])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    page = customer_url(user=agent, customer_id=customer.pk)
    return {"customer": customer, "offer": offer, "api": api, "page": page}


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def console_page(client, world):
    return client.get(world["page"])


def api_decision(world):
    return world["api"].post(
        "/api/v1/decisions/", {"customer_id": "C0042", "channel_kind": "ussd"}, format="json"
    )


def test_with_redis_killed_the_console_and_the_api_keep_deciding_quickly(
    client, world, redis_cache
):
    # Given a portal that has been serving with Redis (the catalogue stamp is in it)
    assert console_page(client, world).status_code == 200
    assert redis_cache.client().keys("*catalogue-stamp*")
    # When Redis dies
    redis_cache.kill()
    # Then every console page and every API decision is answered, with the offer, quickly
    pages, decisions = [], []
    for _ in range(10):
        page, seconds = timed(lambda: console_page(client, world))
        assert page.status_code == 200
        assert "Fibre 1 Gb/s" in page.content.decode()
        pages.append(seconds)
        decision, seconds = timed(lambda: api_decision(world))
        assert decision.status_code == 201, decision.content
        assert decision["Content-Type"].startswith("application/json")
        assert [o["offer_code"] for o in decision.json()["offers"]] == ["FIBRE-1G"]
        decisions.append(seconds)
    assert max(pages) < QUICK and max(decisions) < QUICK, (pages, decisions)
    print(
        f"Redis dead: console page median {statistics.median(pages) * 1000:.1f} ms "
        f"(max {max(pages) * 1000:.1f}), API decision median "
        f"{statistics.median(decisions) * 1000:.1f} ms (max {max(decisions) * 1000:.1f})"
    )


def test_a_redis_that_hangs_costs_one_short_wait_not_one_per_request(client, world, settings):
    # Given a cache whose Redis accepts connections and never answers
    hung = Unanswering()
    try:
        use_cache_at(settings, hung.url)
        # When agents keep opening customers
        seconds = []
        for _ in range(20):
            page, took = timed(lambda: console_page(client, world))
            assert page.status_code == 200 and "Fibre 1 Gb/s" in page.content.decode()
            seconds.append(took)
    finally:
        hung.close()
    # Then the first request waits for the short socket timeout, and the next ones do not
    assert max(seconds) < 1.5, seconds
    assert statistics.median(seconds) < 0.1, seconds
    print(
        f"Redis hung: first page {seconds[0] * 1000:.0f} ms, median "
        f"{statistics.median(seconds) * 1000:.1f} ms"
    )


def test_without_redis_the_catalogue_is_read_from_the_database(world, redis_cache, monkeypatch):
    # Given a catalogue built while Redis answered
    monkeypatch.setattr(catalogue, "STAMP_CHECK_EVERY", 0.0)
    monkeypatch.setattr(catalogue, "UNSHARED_MAX_AGE", 0.0)
    content = OfferContent.objects.get(offer=world["offer"], channel_kind=ChannelKind.STORE)
    assert catalogue.current().contents[(world["offer"].pk, ChannelKind.STORE)].agent_script == (
        "Fibre is here."
    )
    # When Redis dies and a script is changed where no process is told (another process, SQL)
    redis_cache.kill()
    OfferContent.objects.filter(pk=content.pk).update(agent_script="Fibre is even faster.")
    # Then the catalogue comes from the database, not from a stamp that cannot be read
    assert catalogue.current().contents[(world["offer"].pk, ChannelKind.STORE)].agent_script == (
        "Fibre is even faster."
    )


def test_cache_calls_with_redis_dead_answer_as_a_miss(redis_cache):
    # Given a dead Redis
    cache.set("k", 1)
    redis_cache.kill()
    # Then reads miss, writes do nothing, and nothing raises but a counter that is not there
    assert cache.get("k") is None and cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k", "j"]) == {}
    assert cache.add("k", 2) is False and cache.set("k", 2) is None
    assert cache.get_or_set("k", 3) == 3
    assert cache.delete("k") is False and cache.delete_many(["k"]) is None
    with pytest.raises(ValueError):
        cache.incr("k")


def test_when_redis_comes_back_the_cache_and_the_stamp_are_used_again(redis_cache, monkeypatch):
    # Given a Redis that died, and a catalogue that went on without a stamp
    monkeypatch.setattr(portal_cache, "RETRY_AFTER", 0.1)
    monkeypatch.setattr(catalogue, "STAMP_CHECK_EVERY", 0.0)
    redis_cache.kill()
    cache.set("k", 1)
    assert cache.get("k") is None
    catalogue.current()
    assert catalogue._local.held.stamp is None
    # When it is back (empty: nothing was kept)
    redis_cache.start()
    time.sleep(0.2)
    # Then the cache is used again, and so is the shared stamp
    cache.set("k", 2)
    assert cache.get("k") == 2 and redis_cache.client().keys("*:k")
    catalogue.current()
    assert catalogue._local.held.stamp == cache.get(catalogue.STAMP_KEY) is not None


def test_health_says_degraded_and_names_the_cache_and_the_queue(client, redis_cache):
    # Given a healthy portal on its own Redis, for the cache and the queue
    with broker_at(redis_cache.url):
        healthy = client.get("/health/").json()
        assert healthy == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
        # When Redis dies
        redis_cache.kill()
        response, seconds = timed(lambda: client.get("/health/"))
    # Then the portal is up (200) but degraded, and says which parts failed
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["cache"].startswith("error: ") and body["queue"].startswith("error: ")
    assert seconds < 2.0


def test_queueing_works_again_as_soon_as_redis_is_back(own_redis):
    from campaigns.tasks import prune_versions_task
    from cvm_portal import broker

    with broker_at(own_redis.url):
        # Given a task queued, then Redis lost and queueing refused, quickly
        first = broker.enqueue(prune_versions_task)
        assert broker.waiting_task_ids() == {first}
        own_redis.kill()
        started = time.perf_counter()
        with pytest.raises(broker.QueueUnavailable):
            broker.enqueue(prune_versions_task)
        assert time.perf_counter() - started < 1.0
        assert broker.waiting_task_ids() is None  # cannot be asked
        # When Redis is back (empty: the first task is lost with it)
        own_redis.start()
        # Then the next task is taken at once, though the pooled connections are dead ones
        again = broker.enqueue(prune_versions_task)
        assert broker.waiting_task_ids() == {again}


def test_build_now_with_the_queue_down_says_so_instead_of_failing(client, make_user, own_redis):
    # Given a CVM manager, and a task queue that is down
    client.force_login(make_user(Role.CVM_MANAGER))
    own_redis.kill()
    with broker_at(own_redis.url):
        # When they press "Build now"
        response, seconds = timed(lambda: client.post("/outbound/lists/build/", follow=True))
    # Then the page says the lists could not be started, quickly
    assert response.status_code == 200
    assert "task queue (Redis) is not answering" in response.content.decode()
    assert seconds < 2.0
