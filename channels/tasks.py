"""Celery tasks of the delivery side: thin wrappers that take plain values and call services."""

from celery import shared_task

from .calllists import build_call_lists


@shared_task(name="channels.build_call_lists")
def build_call_lists_task(started_by: str = "schedule") -> int:
    """Daily after the nightly loads (schedule in the admin), or on a CVM manager's request:
    today's call list of every live outbound campaign for every site; safe to run twice."""
    return sum(b.leads for b in build_call_lists(started_by=started_by))
