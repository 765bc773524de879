"""The real services behind the portal: Redis as cache and broker, a Celery worker, PostgreSQL locks."""

import threading
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from campaigns.choices import CampaignStatus
from campaigns.lifecycle import change_status
from campaigns.tasks import end_expired_campaigns_task
from cvm_portal.celery import app
from tests.factories import CampaignFactory, OfferFactory


@pytest.mark.redis
def test_the_cache_is_redis_and_round_trips():
    import redis
    from django.conf import settings

    cache.set("cvm-test-key", {"n": 1}, 30)
    assert cache.get("cvm-test-key") == {"n": 1}
    # The value is really in Redis, not in this process.
    server = redis.Redis.from_url(settings.REDIS_URL)
    assert server.keys("*cvm-test-key*")
    cache.delete("cvm-test-key")
    assert not server.keys("*cvm-test-key*")


@pytest.mark.redis
def test_the_redis_cache_reuses_one_client_per_server_across_threads_and_operations():
    from cvm_portal.cache import ReusingRedisCacheClient

    client = cache._cache
    assert isinstance(client, ReusingRedisCacheClient)
    first = client.get_client(write=True)
    cache.set("cvm-test-reuse", 1, 30)
    assert cache.get("cvm-test-reuse") == 1
    seen = []
    worker = threading.Thread(target=lambda: seen.append(client.get_client(write=False)))
    worker.start()
    worker.join()
    assert client.get_client(write=False) is first and seen == [first]
    cache.delete("cvm-test-reuse")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_celery_worker_runs_the_nightly_task_through_redis():
    assert not app.conf.task_always_eager
    assert app.conf.broker_url.startswith("redis://")
    now = timezone.now()
    over = CampaignFactory(
        status=CampaignStatus.LIVE,
        starts_at=now - timedelta(days=5),
        ends_at=now - timedelta(hours=1),
    )
    running = CampaignFactory(status=CampaignStatus.LIVE)
    app.control.purge()  # nothing left over from other tests
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = end_expired_campaigns_task.delay()
        assert result.get(timeout=30) == [over.code]
    over.refresh_from_db()
    running.refresh_from_db()
    assert (over.status, running.status) == ("ended", "live")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_managers_moving_one_campaign_at_once_cannot_both_win():
    assert connection.vendor == "postgresql"
    campaign = CampaignFactory(status=CampaignStatus.APPROVED, offers=[OfferFactory()])
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def go_live():
        from django.db import connections

        try:
            barrier.wait()
            change_status(campaign=campaign, to=CampaignStatus.LIVE)
            outcomes.append("moved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go_live) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused", "refused", "refused"]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LIVE
