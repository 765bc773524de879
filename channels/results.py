"""What the programme results (``campaigns.results``) ask of the delivery side: sites, teams,
where a team lead works, and each day's outbound work. Registered by ``ChannelsConfig.ready``.

Outbound work per day and cell (campaign × channel kind × site × agent):

- attempts, and attempts answered (reached, callback requested, do not call);
- callbacks set (on the day of the call that set them), callbacks due (on the day they were
  due) and kept: called again no later than ``CALLBACK_GRACE`` after the time agreed;
- leads expired: left uncalled on their list's day (counted on that day, at the list's site);
- handling time: no call length is recorded, so it is estimated from the attempts themselves —
  the time from one attempt to the agent's next on the same day, at most ``GAP_CAP`` (a longer
  gap is a break), and ``LAST_CALL`` for an agent's last attempt of the day.

A call list's campaign is worked in its first outbound channel kind (calls before field, as the
lists are), so that is the channel kind of its attempts and leads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Sum
from django.utils import timezone

from campaigns import channel_registry
from campaigns.choices import OUTBOUND_CHANNEL_KINDS, ChannelKind
from campaigns.models import Campaign
from campaigns.results.rollups import bounds
from campaigns.results.sources import Delivery, OutboundKey, Team

from .choices import CONTACT_DISPOSITIONS, Disposition, LeadState
from .models import AgentProfile, CallAttempt, Lead, Site, profile_of
from .models.events import DailyInterest

GAP_CAP = timedelta(minutes=15)
LAST_CALL = timedelta(minutes=3)
CALLBACK_GRACE = timedelta(minutes=30)


def worked_kind(channel_kinds: Iterable[str]) -> str:
    """The channel kind a campaign's call lists are worked in."""
    kinds = set(channel_kinds or ())
    return next((k for k in OUTBOUND_CHANNEL_KINDS if k in kinds), ChannelKind.OUTBOUND_CALL)


class ResultsDelivery(Delivery):
    """Sites, agent profiles and outbound call attempts, as the programme results see them."""

    def site_names(self) -> dict[int, str]:
        return dict(Site.objects.order_by("name").values_list("pk", "name"))

    def site_of(self, user) -> int | None:
        profile = profile_of(user)
        return profile.site_id if profile is not None else None

    def agents_at(self, site_id: int) -> set[int]:
        return set(AgentProfile.objects.filter(site_id=site_id).values_list("user_id", flat=True))

    def teams(self, site_ids: Iterable[int] | None = None) -> list[Team]:
        profiles = AgentProfile.objects.all()
        if site_ids is not None:
            profiles = profiles.filter(site_id__in=list(site_ids))
        pairs = profiles.order_by().values_list("site_id", "site__name", "channel_kind").distinct()
        return [
            Team(site_id, kind, f"{name} · {channel_registry.label(kind)}")
            for site_id, name, kind in sorted(pairs, key=lambda p: (p[1], p[2]))
        ]

    def outbound_days(self, first: date, last: date) -> dict[OutboundKey, dict[str, int]]:
        start, end = bounds(first, last)
        cells: dict[OutboundKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        kinds = {
            pk: worked_kind(k) for pk, k in Campaign.objects.values_list("pk", "channel_kinds")
        }
        _attempts(cells, kinds, start, end)
        _callbacks_due(cells, kinds, start, end)
        expired = (
            Lead.objects.filter(state=LeadState.EXPIRED, call_list__day__range=(first, last))
            .values_list("call_list__day", "call_list__campaign_id", "call_list__site_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for day, campaign_id, site_id, n in expired:
            cells[
                (day, campaign_id, kinds.get(campaign_id, ChannelKind.OUTBOUND_CALL), site_id, None)
            ]["leads_expired"] += n
        return {key: dict(counts) for key, counts in cells.items()}

    def interest(self, first, last, *, by, campaign_id=None, channel_kind=None):
        columns = [INTEREST_COLUMN[level] for level in by]
        rows = DailyInterest.objects.filter(day__range=(first, last))
        if campaign_id is not None:
            rows = rows.filter(campaign_id=campaign_id)
        if channel_kind is not None:
            rows = rows.filter(channel_kind=channel_kind)
        return {
            tuple(row[c] for c in columns): (row["n_seen"] or 0, row["n_clicked"] or 0)
            for row in rows.values(*columns)
            .annotate(n_seen=Sum("seen"), n_clicked=Sum("clicked"))
            .order_by()
        }


INTEREST_COLUMN = {"day": "day", "campaign": "campaign_id", "channel": "channel_kind"}


def _attempts(cells, kinds: dict[int, str], start, end) -> None:
    zone = timezone.get_default_timezone()
    attempts = (
        CallAttempt.objects.filter(at__gte=start, at__lt=end)
        .values_list("agent_id", "at", "lead__call_list__campaign_id", "site_id", "disposition")
        .order_by("agent_id", "at", "pk")
    )
    previous = None  # (key, agent, at, local day) of the attempt before, awaiting its length
    for agent_id, at, campaign_id, site_id, disposition in attempts.iterator(chunk_size=5000):
        day = timezone.localtime(at, zone).date()
        key = (
            day,
            campaign_id,
            kinds.get(campaign_id, ChannelKind.OUTBOUND_CALL),
            site_id,
            agent_id,
        )
        counts = cells[key]
        counts["attempts"] += 1
        counts["attempts_reached"] += disposition in CONTACT_DISPOSITIONS
        counts["callbacks_set"] += disposition == Disposition.CALLBACK
        if previous is not None:
            same_stretch = previous[1] == agent_id and previous[3] == day
            _close(cells, previous, at if same_stretch else None)
        previous = (key, agent_id, at, day)
    if previous is not None:
        _close(cells, previous, None)


def _close(cells, previous, next_at) -> None:
    """Give the previous attempt its estimated length: up to the next one, or the default."""
    key, _agent, at, _day = previous
    length = min(next_at - at, GAP_CAP) if next_at is not None else LAST_CALL
    cells[key]["handling_seconds"] += int(length.total_seconds())


def _callbacks_due(cells, kinds: dict[int, str], start, end) -> None:
    zone = timezone.get_default_timezone()
    called_again = CallAttempt.objects.filter(
        lead_id=OuterRef("lead_id"),
        at__gt=OuterRef("at"),
        at__lte=ExpressionWrapper(
            OuterRef("callback_at") + CALLBACK_GRACE, output_field=DateTimeField()
        ),
    )
    due = (
        CallAttempt.objects.filter(
            disposition=Disposition.CALLBACK, callback_at__gte=start, callback_at__lt=end
        )
        .annotate(kept=Exists(called_again))
        .values_list("callback_at", "lead__call_list__campaign_id", "site_id", "agent_id", "kept")
    )
    for callback_at, campaign_id, site_id, agent_id, kept in due.iterator(chunk_size=5000):
        day = timezone.localtime(callback_at, zone).date()
        key = (
            day,
            campaign_id,
            kinds.get(campaign_id, ChannelKind.OUTBOUND_CALL),
            site_id,
            agent_id,
        )
        cells[key]["callbacks_due"] += 1
        cells[key]["callbacks_kept"] += bool(kept)
