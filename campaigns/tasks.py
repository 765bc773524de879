"""Celery tasks of the CVM side: thin wrappers that take plain values and call services."""

from celery import shared_task
from django.db import DatabaseError

from . import loading
from .lifecycle import end_expired_campaigns


@shared_task(name="campaigns.end_expired_campaigns")
def end_expired_campaigns_task() -> list[str]:
    """Nightly: end campaigns whose period is over, so agents stop seeing their offers."""
    return end_expired_campaigns()


@shared_task(
    bind=True,
    name="campaigns.load_file",
    acks_late=True,  # a load killed half-way is delivered again...
    reject_on_worker_lost=True,  # ...and run_load cleans up the killed attempt first
    max_retries=5,
)
def load_file_task(self, run_id: int) -> str:
    """Load one registered warehouse file; safe to deliver twice."""
    try:
        run = loading.run_load(run_id=run_id)
    except loading.LoadBusy as exc:
        raise self.retry(exc=exc, countdown=60) from exc
    except (
        DatabaseError
    ) as exc:  # a lost connection, a deadlock, a restart: try again, later each time
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600)) from exc
    return run.status


@shared_task(name="campaigns.load_inbox")
def load_inbox_task() -> int:
    """Nightly (schedule in the admin): queue every new ready file of the inbox."""
    return len(loading.queue_inbox(started_by="schedule"))


@shared_task(name="campaigns.prune_target_group_versions")
def prune_versions_task() -> int:
    return loading.prune_versions()
