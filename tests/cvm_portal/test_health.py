"""/health/ for load balancers and monitoring: ok, degraded (cache down) or error (database down)."""

import shutil
import subprocess
import time

import pytest
import redis
from django.db import OperationalError

from tests.cvm_portal.test_settings import PRODUCTION, run


@pytest.mark.django_db
def test_health_reports_database_and_cache_without_login(client, settings):
    response = client.get("/health/")
    assert response.status_code == 200
    # With a broker (Redis) the task queue is a part too; tasks in-process have none.
    queue = {"queue": "ok"} if settings.REDIS_URL else {}
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", **queue}


@pytest.mark.django_db
def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405


# --- Degraded: the cache down, the database up ------------------------------------------------
OWN_REDIS_PORT = 6393  # never the shared Redis on 6379: this one is killed


@pytest.fixture
def cache_on_redis_6393(settings):
    """A Redis of this test's own, as the cache; the test kills it."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("needs redis-server on the PATH (apt-get install redis-server)")
    process = subprocess.Popen(
        [server, "--port", str(OWN_REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    probe = redis.Redis(port=OWN_REDIS_PORT, socket_connect_timeout=0.2)
    for _ in range(50):
        try:
            probe.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    settings.CACHES = {
        "default": {
            "BACKEND": "cvm_portal.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{OWN_REDIS_PORT}/0",
        }
    }
    yield process
    process.kill()
    process.wait()


@pytest.mark.django_db
def test_health_reports_degraded_and_names_the_cache_when_redis_dies(client, cache_on_redis_6393):
    assert client.get("/health/").json()["cache"] == "ok"

    cache_on_redis_6393.kill()
    cache_on_redis_6393.wait()
    response = client.get("/health/")

    assert response.status_code == 200  # still serving: the load balancer keeps it
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "ok"
    assert response.json()["cache"].startswith("error: ")


@pytest.mark.django_db
def test_health_is_an_error_when_the_database_does_not_answer(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr("cvm_portal.views.connection.cursor", refuse)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error: OperationalError"


# --- Production mode: plain HTTP from the load balancer -----------------------------------------
PROBE_OVER_HTTP = (
    "import django; django.setup(); from django.test import Client; "
    "c = Client(HTTP_HOST='cvm.example.com'); "
    "print(c.get('/health/').status_code, c.get('/accounts/login/').status_code)"
)


def test_in_production_health_answers_plain_http_while_other_pages_redirect_to_https(tmp_path):
    result = run(["-c", PROBE_OVER_HTTP], **PRODUCTION, CVM_SQLITE_PATH=str(tmp_path / "db"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]
