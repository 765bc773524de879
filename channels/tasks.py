"""Celery tasks of the delivery side: thin wrappers that take plain values and call services."""

from celery import shared_task

from channels.outbound.lists import build_call_lists


@shared_task(name="channels.build_call_lists")
def build_call_lists_task(started_by: str = "schedule") -> int:
    """Daily after the nightly loads (schedule in the admin), or on a CVM manager's request:
    today's call list of every live outbound campaign for every site; safe to run twice."""
    return sum(b.leads for b in build_call_lists(started_by=started_by))


@shared_task(name="channels.refresh_bonus_statements")
def refresh_bonus_statements_task() -> int:
    """Every 15 minutes (schedule in the admin): recompute the open statements of every plan
    that is not closed, so leaderboards and team pages are fresh; safe to run twice."""
    from channels.bonus.statements import refresh_open_plans

    return refresh_open_plans()


@shared_task(name="channels.maintain_event_partitions")
def maintain_event_partitions_task() -> dict:
    """Nightly (schedule in the admin): digital event partitions made for the coming months,
    and those past CVM_EVENT_RETENTION_MONTHS dropped; USSD session rows older than a day
    deleted (their sessions ended long ago). Safe to run twice."""
    from channels.events.store import maintain_partitions
    from channels.ussd.sessions import prune

    made, dropped = maintain_partitions()
    return {"made": made, "dropped": dropped, "ussd_sessions_pruned": prune()}


@shared_task(name="channels.draw_research_queue")
def draw_research_queue_task() -> int:
    """Mondays at 05:30 (schedule in the admin): last week's call recordings sampled into the
    research queue, per campaign and outcome; safe to run twice (adds nothing)."""
    from channels.recordings.research import draw_last_week

    return draw_last_week()
