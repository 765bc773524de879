"""The stop generation: how every process learns of a kill-switch stop on its next request.

The catalogue reads its shared stamp at most every second (``campaigns.catalogue``); a stop
must not wait even that. So every use of the kill switch (a stop or a resumption) gives the
*stop generation* a new value, and every web request (``StopSignalMiddleware``) and every
Celery task (``task_prerun``) compares it with the one its process saw last: one cache GET.
When it changed, the process's threads rebuild their catalogue before their next decision.

Redis down (``cvm_portal.cache`` answers every read as a miss): the generation is read from the
database instead (one indexed aggregate over the stops), so a stop still holds on the next
request, at the price of one query per request for as long as the cache does not answer. When
the cache answers again its value differs from the database's, so every process rebuilds once:
a stop made while it was down is not missed.

The decision API's front door (``channels.api.front``) skips the middleware: it reads the
generation from the database in the customer's own statement instead (``observe_database``),
so a decision costs no round trip for it, and a stop holds there on the next request too.

Outbound call lists do not depend on this: the claim of "next customer" checks the lead's
campaign in the same statement (``channels.outbound.claims``).
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from campaigns import catalogue
from campaigns.models import CampaignStop

KEY = "cvm:stop-generation"
log = logging.getLogger("cvm.kill_switch")

_seen: list[str | None] = [None]  # the generation this process acted on last


def _from_database() -> str:
    """The generation as the database tells it: the newest stop and the newest resumption."""
    found = CampaignStop.objects.aggregate(stop=Max("pk"), resumed=Max("resumed_at"))
    resumed = found["resumed"].timestamp() if found["resumed"] else 0
    return f"db:{found['stop'] or 0}:{resumed}"


def current() -> str:
    """The stop generation: one cache GET; the database when the cache does not answer."""
    try:
        value = cache.get(KEY)
        if value is None:  # first use, the cache was cleared, or it is not answering
            cache.add(KEY, uuid.uuid4().hex, None)  # add: a generation set meanwhile stays
            value = cache.get(KEY)
    except Exception:  # noqa: BLE001 - a cache backend that raises instead of missing
        value = None
    if value is None:  # not answering: the database is the only truth
        value = _from_database()
    return value


def _bump() -> None:
    try:
        cache.set(KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 - the database fallback of current() still sees the change
        log.warning("Could not announce a kill-switch change through the cache", exc_info=True)


def announce() -> None:
    """A stop or a resumption was written: give the generation a new value now (this
    transaction's own process rebuilds at once) and again on commit (a process that rebuilt
    in between, without the uncommitted change, rebuilds once more)."""
    _bump()
    catalogue.rebuild()
    transaction.on_commit(_bump)
    transaction.on_commit(catalogue.rebuild)


def observe() -> None:
    """Rebuild this process's catalogue if a stop or resumption happened since it last looked."""
    generation = current()
    if generation != _seen[0]:
        _seen[0] = generation
        catalogue.rebuild()


_seen_in_database: list[tuple | None] = [None]  # (newest stop, newest resumption) acted on last

# The stop generation as the database tells it, for a statement that reads it with other
# things (the decision API's customer statement, ``campaigns.store.postgres``): two index
# look-ups, the newest stop and the newest resumption.
DATABASE_GENERATION_SQL = (
    "(SELECT max(id) FROM campaigns_campaignstop),"
    " (SELECT max(resumed_at) FROM campaigns_campaignstop)"
)


def observe_database(generation: tuple | None) -> None:
    """``observe`` with the generation read from the database in a statement of the caller's
    (``DATABASE_GENERATION_SQL``: the decision API reads it with the customer, so its front
    door needs no round trip to the cache for it); None: not read (another database than
    PostgreSQL), ``observe`` itself. A process's first reading rebuilds its catalogue once:
    it cannot know what its catalogue was built from."""
    if generation is None:
        observe()
    elif generation != _seen_in_database[0]:
        _seen_in_database[0] = generation
        catalogue.rebuild()


class StopSignalMiddleware:
    """Every request first checks the stop generation (one cache GET), so a kill-switch stop made
    in any process holds on this process's very next decision."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        observe()
        return self.get_response(request)


def _before_task(**_kwargs) -> None:
    observe()


def connect() -> None:
    """Celery workers check the generation before every task, as web processes per request."""
    from celery.signals import task_prerun

    task_prerun.connect(_before_task, dispatch_uid="cvm-stop-signal")
