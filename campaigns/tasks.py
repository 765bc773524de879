"""Celery tasks of the CVM side: thin wrappers that take plain values and call services."""

from celery import shared_task

from .lifecycle import end_expired_campaigns


@shared_task(name="campaigns.end_expired_campaigns")
def end_expired_campaigns_task() -> list[str]:
    """Nightly: end campaigns whose period is over, so agents stop seeing their offers."""
    return end_expired_campaigns()
