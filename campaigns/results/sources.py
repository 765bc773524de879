"""What the programme results ask of the other apps, which answer by registering here.

The CVM side never imports the delivery side or training (campaigns <- training <- channels):
the channels app registers a ``Delivery`` (sites, teams, where a team lead works, the day's
call attempts), and the training app a ``Training`` (completion of a campaign's guides), when
they start, as training registers its gate with decisioning. Until one is registered (the app
is not installed) the defaults below answer: no sites, no call attempts, no training.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Team:
    """A site's agents working in one channel kind (a team lead's team, as training counts it)."""

    site_id: int
    channel_kind: str
    label: str


@dataclass(frozen=True)
class Completion:
    """How far the people assigned a campaign's guides have got."""

    assigned: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.assigned if self.assigned else None


# One day of outbound work in one cell: (day, campaign id, channel kind, site id, agent id or
# None) → counters named as DailyExecution's fields (attempts, attempts_reached, callbacks_set,
# callbacks_due, callbacks_kept, leads_expired, handling_seconds).
OutboundKey = tuple[date, int, str, int | None, int | None]


class Delivery:
    """What the results ask the delivery side; this one knows of no site and no call."""

    def site_names(self) -> dict[int, str]:
        """{site id: name}, in the order of the names."""
        return {}

    def site_of(self, user) -> int | None:  # noqa: ARG002 - the interface the delivery side fills in
        """The site ``user`` works at (a team lead's, an agent's), or None."""
        return None

    def agents_at(self, site_id: int) -> set[int]:  # noqa: ARG002
        """The user ids of the agents (and leads) who work at ``site_id``."""
        return set()

    def teams(self, site_ids: Iterable[int] | None = None) -> list[Team]:  # noqa: ARG002
        """The teams (site × channel kind with agents), of ``site_ids`` when given."""
        return []

    def outbound_days(self, first: date, last: date) -> dict[OutboundKey, dict[str, int]]:  # noqa: ARG002
        """Outbound counters of the days ``first`` to ``last`` (both included, in the portal's
        time zone), per cell."""
        return {}

    def interest(
        self,
        first: date,  # noqa: ARG002
        last: date,  # noqa: ARG002
        *,
        by: tuple[str, ...],  # noqa: ARG002
        campaign_id: int | None = None,  # noqa: ARG002
        channel_kind: str | None = None,  # noqa: ARG002
    ) -> dict[tuple, tuple[int, int]]:
        """Digital presentations seen (their first impression) and clicked (their first click)
        on the days ``first`` to ``last``: {values of ``by`` ("day", "campaign", "channel"):
        (seen, clicked)}."""
        return {}


class Training:
    """What the results ask the training side; this one knows of no guide."""

    def completion(self, campaign_id: int, *, site_id: int | None = None) -> Completion:  # noqa: ARG002
        """Assignments of the campaign's published guides (at ``site_id``) and how many are
        completed."""
        return Completion(0, 0)


_delivery = Delivery()
_training = Training()


def register_delivery(delivery: Delivery) -> None:
    global _delivery
    _delivery = delivery


def register_training(training: Training) -> None:
    global _training
    _training = training


def delivery() -> Delivery:
    """The registered delivery side (the channels app's, once it has started)."""
    return _delivery


def training() -> Training:
    """The registered training side (the training app's, once it has started)."""
    return _training
