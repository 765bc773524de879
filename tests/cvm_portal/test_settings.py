"""Configuration from the environment, checked in a fresh interpreter each time."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'cache': settings.CACHES['default']['BACKEND'], 'broker': settings.CELERY_BROKER_URL, "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'debug': settings.DEBUG}))"
)
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x7Gq2Lr9-vT4mZs8Kd1Nw6Yb3Hc5Fp0Je-Ua2Ri7Oe4Ti9Sy1Ql6Xo3Vn8Wk5Mg0",
    "DJANGO_ALLOWED_HOSTS": "cvm.example.com",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "cvm_portal.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(**env: str) -> dict:
    result = run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_set_the_portal_runs_on_sqlite_locmem_and_in_process_tasks():
    assert probe() == {
        "engine": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "memory://",
        "eager": True,
        "debug": True,
    }


def test_database_url_switches_to_postgresql_and_redis_url_to_redis():
    config = probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/cvm", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["cache"] == "cvm_portal.cache.RedisCache"  # Django's, reusing its client
    assert config["broker"] == "redis://127.0.0.1:6379/3"
    assert config["eager"] is False


def test_production_mode_passes_the_deployment_checklist():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_mode_does_not_pass_the_deployment_checklist():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode != 0


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_mode_refuses_to_start_without_its_required_settings(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_demo_refuses_to_run_in_production_mode():
    result = run(["manage.py", "demo"], **PRODUCTION)
    assert result.returncode != 0
    assert "refuses to run in production mode" in result.stderr
