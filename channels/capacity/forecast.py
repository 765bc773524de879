"""How many contacts a campaign brings, per day and channel kind, and where they land.

A campaign's contacts in a channel kind over its period are its audience (the active target
group version's stored member count, less the control group: they are never contacted) times
its contact rate. The rate is a CVM manager's (``CampaignForecast``) when one was saved,
otherwise the rate past campaigns of the same objective reached in that channel kind (their
rollup contacts over their audiences), otherwise a portal default. The contacts are spread:

- evenly over the days of the period;
- over sites: by the campaign's outbound shares for outbound kinds, otherwise by each site's
  share of the agents working in the channel kind;
- over a day's hour bands by ``BAND_PROFILE``, among the bands a site has agents rostered
  for (a closed site takes no load that day).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import channel_registry
from campaigns.choices import OUTBOUND_CHANNEL_KINDS, ChannelKind
from campaigns.models import Campaign, DailyExecution, Grain, TargetGroup
from channels.models import (
    AgentProfile,
    CampaignForecast,
    ForecastSource,
    HourBand,
    OutboundShare,
)

# Share of a day's contacts in each hour band: the busy middle of the day carries most, as the
# execution rollups of assisted channels show (a stated assumption, the same for all kinds).
BAND_PROFILE: dict[int, float] = {
    HourBand.MORNING: 0.20,
    HourBand.LATE_MORNING: 0.30,
    HourBand.AFTERNOON: 0.30,
    HourBand.EVENING: 0.20,
}
# Contacts per 100 target-group members over a campaign's period, when no past campaign of the
# same objective ran in the channel kind.
DEFAULT_RATE_PCT: dict[str, Decimal] = {
    ChannelKind.STORE: Decimal(3),
    ChannelKind.INBOUND_CALL: Decimal(5),
    ChannelKind.OUTBOUND_CALL: Decimal(40),
    ChannelKind.FIELD: Decimal(10),
    ChannelKind.WEB: Decimal(60),
    ChannelKind.APP: Decimal(50),
    ChannelKind.CHATBOT: Decimal(10),
    ChannelKind.USSD: Decimal(20),
    ChannelKind.IVR: Decimal(10),
}


@dataclass(frozen=True)
class Forecast:
    """One campaign's expected contacts in one channel kind, and where the rate comes from."""

    campaign_id: int
    campaign_code: str
    channel_kind: str
    audience: int | None  # None: no target group loaded yet
    rate_pct: Decimal
    contacts_per_day: float
    days: int
    source: str
    basis: str
    saved: bool

    @property
    def source_label(self) -> str:
        return str(ForecastSource(self.source).label)

    @property
    def kind_label(self) -> str:
        return channel_registry.label(self.channel_kind)


def period_days(campaign: Campaign) -> list[date]:
    """The local dates a campaign runs on (at least its first day)."""
    first = timezone.localdate(campaign.starts_at)
    end = timezone.localtime(campaign.ends_at)
    last = end.date() if end.time() > end.time().min else end.date() - timedelta(days=1)
    last = max(first, last)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def audience_sizes(campaign_ids: list[int]) -> dict[int, int]:
    """{campaign id: members it may contact}: the active versions' stored counts less their
    control groups, never a count of members (millions of rows on PostgreSQL)."""
    rows = TargetGroup.objects.filter(
        campaign_id__in=campaign_ids, active_version__isnull=False
    ).values_list("campaign_id", "active_version__member_count", "active_version__control_count")
    return {campaign_id: max(0, total - control) for campaign_id, total, control in rows}


def past_rate(objective: str, kind: str) -> tuple[Decimal, str] | None:
    """Contacts per 100 members that ended campaigns (``ends_at`` passed, so never the one
    being forecast) of ``objective`` reached in ``kind``, and which campaigns that is; None
    when there are none to learn from."""
    contacts = dict(
        DailyExecution.objects.filter(
            grain=Grain.CHANNEL,
            channel_kind=kind,
            campaign__objective=objective,
            campaign__ends_at__lte=timezone.now(),
        )
        .values_list("campaign_id")
        .annotate(n=Sum("contacts"))
        .order_by()
    )
    if not contacts:
        return None
    members = {c: n for c, n in audience_sizes(list(contacts)).items() if n > 0}
    if not members:
        return None
    rate = Decimal(100 * sum(contacts[c] for c in members)) / sum(members.values())
    codes = sorted(Campaign.objects.filter(pk__in=list(members)).values_list("code", flat=True))
    basis = _("%(codes)s (%(n)d past campaigns)") % {"codes": ", ".join(codes), "n": len(codes)}
    return rate.quantize(Decimal("0.01")), basis[:200]


class Forecasts:
    """The forecasts of several campaigns, read with a fixed number of queries: saved rows and
    audiences in one query each, past rates once per objective and channel kind."""

    def __init__(self, campaigns: list[Campaign]):
        ids = [c.pk for c in campaigns]
        self.saved = {
            (row.campaign_id, row.channel_kind): row
            for row in CampaignForecast.objects.filter(campaign_id__in=ids)
        }
        self.audiences = audience_sizes(ids)
        self.learnt: dict[tuple[str, str], tuple[Decimal, str] | None] = {}

    def of(self, campaign: Campaign, kind: str) -> Forecast:
        """The campaign's forecast in ``kind``: the saved one, else learnt from the past, else
        the portal default."""
        saved = self.saved.get((campaign.pk, kind))
        if saved is not None:
            rate, source, basis = saved.contact_rate_pct, saved.source, saved.basis
        else:
            key = (campaign.objective, kind)
            if key not in self.learnt:
                self.learnt[key] = past_rate(*key)
            if self.learnt[key] is not None:
                rate, basis = self.learnt[key]
                source = ForecastSource.PAST_RESULTS
            else:
                rate, basis, source = DEFAULT_RATE_PCT[kind], "", ForecastSource.DEFAULT
        audience = self.audiences.get(campaign.pk)
        days = len(period_days(campaign))
        if saved is not None and saved.contacts_per_day is not None:
            per_day = float(saved.contacts_per_day)
        else:
            per_day = (audience or 0) * float(rate) / 100 / days
        return Forecast(
            campaign.pk,
            campaign.code,
            kind,
            audience,
            rate,
            per_day,
            days,
            str(source),
            basis,
            saved is not None,
        )

    def all_of(self, campaign: Campaign, kinds=None) -> list[Forecast]:
        """The campaign's forecast in each of its channel kinds (of ``kinds`` when given)."""
        return [
            self.of(campaign, kind)
            for kind in campaign.channel_kinds or []
            if kinds is None or kind in kinds
        ]


def forecast_for(campaign: Campaign, kind: str) -> Forecast:
    """One campaign's forecast in one channel kind."""
    return Forecasts([campaign]).of(campaign, kind)


def forecasts_for(campaign: Campaign) -> list[Forecast]:
    """The campaign's forecast in each of its channel kinds."""
    return Forecasts([campaign]).all_of(campaign)


def agent_shares(kind: str) -> dict[int, float]:
    """{site id: share of the agents of ``kind``} over the active sites."""
    counts = dict(
        AgentProfile.objects.filter(channel_kind=kind, site__is_active=True)
        .values_list("site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    return {site: n / total for site, n in counts.items()} if total else {}


def band_shares(open_bands: list[int]) -> dict[int, float]:
    """How a day's contacts split over the bands a site is open in (``BAND_PROFILE``
    renormalised); no open band, no share."""
    total = sum(BAND_PROFILE[b] for b in open_bands)
    return {b: BAND_PROFILE[b] / total for b in open_bands} if total else {}


def daily_contacts(
    campaigns: list[Campaign], kinds: set[str] | None = None
) -> dict[tuple[int, str], tuple[Forecast, dict]]:
    """{(campaign id, kind): (forecast, {site id: contacts per day})} of ``campaigns``; digital
    kinds have one entry for no site (None). Only channel kinds in ``kinds``, when given."""
    out: dict[tuple[int, str], tuple[Forecast, dict]] = {}
    shares_cache: dict[str, dict[int, float]] = {}
    outbound = defaultdict(dict)
    for campaign_id, site_id, share in OutboundShare.objects.filter(
        campaign_id__in=[c.pk for c in campaigns]
    ).values_list("campaign_id", "site_id", "share"):
        outbound[campaign_id][site_id] = share
    batch = Forecasts(campaigns)
    for campaign in campaigns:
        for fc in batch.all_of(campaign, kinds):
            if fc.contacts_per_day <= 0:
                continue
            if not channel_registry.is_assisted(fc.channel_kind):
                out[(campaign.pk, fc.channel_kind)] = (fc, {None: fc.contacts_per_day})
                continue
            shares = outbound[campaign.pk] if fc.channel_kind in OUTBOUND_CHANNEL_KINDS else {}
            if shares:
                total = sum(shares.values())
                shares = {site: share / total for site, share in shares.items()}
            else:
                if fc.channel_kind not in shares_cache:
                    shares_cache[fc.channel_kind] = agent_shares(fc.channel_kind)
                shares = shares_cache[fc.channel_kind]
            out[(campaign.pk, fc.channel_kind)] = (
                fc,
                {site: fc.contacts_per_day * share for site, share in shares.items()},
            )
    return out
