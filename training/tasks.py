"""Celery tasks of training: thin wrappers that take plain values and call services."""

from celery import shared_task

from . import digest


@shared_task(name="training.build_weekly_digest")
def build_weekly_digest_task(week: str = "") -> str:
    """Monday 06:00: draft the sales digest of last week (or of ``week``, YYYY-Www); safe twice."""
    week_start = digest.parse_week(week) if week else digest.last_week()
    return digest.build_digest(week_start=week_start).week_label


@shared_task(name="training.publish_due_digests")
def publish_due_digests_task() -> list[str]:
    """Hourly: send out the drafts whose review time is over, without a comment if none."""
    return digest.publish_due()
