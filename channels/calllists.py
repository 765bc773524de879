"""Daily call lists: built from the active target groups of live outbound campaigns, and their figures.

A list is one campaign's leads for one site on one (site-local) day. The target group's
members pass the same contact policy as the console before they become leads: the control
group, do-not-contact and missing consent are filtered in the database; the history rules
(cooldowns, the global cap, declined and accepted offers) are asked of
``campaigns.decisioning.policy_exclusion`` for the customers that have any history at all —
a customer with none cannot fail them. Members are ordered by score and dealt to the sites in
the shares the CVM manager set, so each site gets leads of the same quality; the score is the
console's arbitration score (``campaigns.decisioning.arbitration_score``, with the weights the
CVM managers set). Building is idempotent: a site that already has today's list for a campaign
keeps it. Building a day's list carries the waiting callbacks of earlier days over to it and
closes the other leads of earlier days still waiting (as expired).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns.choices import CONSENT_FOR_CHANNEL
from campaigns.decisioning import arbitration_score, policy_exclusion
from campaigns.fields import channel_kind_lookup
from campaigns.models import (
    Campaign,
    ContactPolicy,
    Customer,
    Response,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)

from .bonus import agency_statement
from .choices import Disposition, LeadState
from .models import (
    OUTBOUND_CHANNEL_KINDS,
    OUTBOUND_SITE_KINDS,
    CallAttempt,
    CallList,
    Lead,
    OutboundShare,
    Site,
)
from .outbound import calling_window, forget_todays_lists, local_day

BATCH = 5000


def campaign_kind(campaign: Campaign) -> str:
    """The outbound kind a campaign's lists are worked in: calls if it runs there, else field."""
    return next(k for k in OUTBOUND_CHANNEL_KINDS if k in campaign.channel_kinds)


def outbound_campaigns(now: datetime):
    query = Q()
    for kind in OUTBOUND_CHANNEL_KINDS:
        query |= Q(**channel_kind_lookup(kind))
    return Campaign.objects.live(now).filter(query).order_by("-priority_weight", "code")


@dataclass
class Built:
    campaign: str
    site: str
    leads: int
    note: str = ""


def build_call_lists(*, started_by: str, now: datetime | None = None) -> list[Built]:
    """Today's list of every live outbound campaign for every site sharing it; existing ones kept."""
    now = now or timezone.now()
    built: list[Built] = []
    for campaign in outbound_campaigns(now):
        built.extend(build_campaign_lists(campaign=campaign, started_by=started_by, now=now))
    return built


@transaction.atomic
def build_campaign_lists(*, campaign: Campaign, started_by: str, now: datetime) -> list[Built]:
    """One campaign's lists for today, dealt to its sites by share."""
    shares = list(
        OutboundShare.objects.filter(
            campaign=campaign, site__is_active=True, site__kind__in=OUTBOUND_SITE_KINDS
        )
        .select_related("site")
        .order_by("-share", "site__code")
    )
    if not shares:
        return [Built(campaign.code, "", 0, "no site has a share of this campaign")]
    # Lock the campaign so two builds (the schedule and a manager's click) do not interleave.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    todo = [
        s
        for s in shares
        if not CallList.objects.filter(
            campaign=campaign, site=s.site, day=local_day(s.site, now)
        ).exists()
    ]
    if not todo:
        return [Built(campaign.code, s.site.code, 0, "already built today") for s in shares]
    version_id = (
        TargetGroup.objects.filter(campaign=campaign).values_list("active_version_id", flat=True)
    ).first()
    if version_id is None:
        return [Built(campaign.code, "", 0, "no active target group")]
    kind = campaign_kind(campaign)
    scored = _scored_members(campaign, version_id, kind, now)
    lists = {
        s.site.pk: CallList.objects.create(
            campaign=campaign, site=s.site, day=local_day(s.site, now), built_by=started_by[:100]
        )
        for s in todo
    }
    carried = _carry_callbacks(campaign, lists, now)
    _close_earlier_days(campaign, lists, now)
    buckets = _deal(scored, shares)
    result = []
    for s in todo:
        call_list = lists[s.site.pk]
        leads = [
            Lead(
                call_list=call_list,
                customer_id=customer_id,
                offer_id=offer_id,
                score=score,
                due_at=now,
            )
            for score, customer_id, offer_id in buckets[s.site.pk]
            if customer_id not in carried.get(s.site.pk, set())
        ]
        Lead.objects.bulk_create(leads, batch_size=BATCH)
        call_list.size = len(leads) + len(carried.get(s.site.pk, ()))
        call_list.save(update_fields=["size"])
        transaction.on_commit(
            lambda site_id=s.site.pk, day=call_list.day: forget_todays_lists([site_id], day)
        )
        result.append(Built(campaign.code, s.site.code, call_list.size))
    return result


def _scored_members(campaign: Campaign, version_id: int, kind: str, now: datetime):
    """(score, customer id, offer id) of the members the policy lets through, best first."""
    policy = ContactPolicy.current()
    valid = [o for o in campaign.offers.filter(**channel_kind_lookup(kind)) if o.is_valid_at(now)]
    offer_values = {o.pk: o.value for o in valid}
    offer_ids = {o.code: o.pk for o in valid}  # members name their offer by code
    if not offer_values:
        return []
    best_value = max(offer_values.values())
    consent = CONSENT_FOR_CHANNEL[kind].value
    version = TargetGroupVersion.objects.get(pk=version_id)
    members = TargetGroupMember.objects.filter(
        version_id=version_id,
        customer__do_not_contact=False,
        **{f"customer__{consent}": True},
    )
    in_sql = connection.vendor == "postgresql"
    if in_sql:  # the control group stays out, decided in SQL (loadrules.control_bucket)
        bucket = RawSQL(
            "((hashtext(campaigns_targetgroupmember.customer_external_id || %s)::bigint"
            " & 4294967295) %% 10000)",
            [f":{version.control_code}"],
        )
        members = members.alias(bucket=bucket).filter(bucket__gte=int(version.control_share * 100))
    rows = members.values_list(
        "customer_id", "customer__pk", "offer_id", "propensity", "expected_value"
    ).iterator(chunk_size=BATCH)
    scored = []
    for external_id, customer_id, offer_code, propensity, expected in rows:
        if not in_sql and version.in_control(external_id):
            continue  # the control group is never called
        offer_id = offer_ids.get(offer_code) if offer_code is not None else None
        if offer_code is not None and offer_id is None:
            continue  # the suggested offer is not valid or not allowed in this kind
        value = expected
        if value is None:
            value = (offer_values[offer_id] if offer_id else best_value) * 12
        score = arbitration_score(
            propensity=propensity,
            value=value,
            priority_weight=campaign.priority_weight,
            policy=policy,
        )
        scored.append((score, customer_id, offer_id))
    scored = _without_history_exclusions(campaign, kind, scored, now)
    scored.sort(key=lambda row: (-row[0], row[1]))
    return scored


def _without_history_exclusions(campaign, kind, scored, now):
    """Ask the contact policy about each member that has any response on record."""
    ids = [row[1] for row in scored]
    with_history: set[int] = set()
    for start in range(0, len(ids), BATCH):
        with_history.update(
            Response.objects.filter(customer_id__in=ids[start : start + BATCH])
            .values_list("customer_id", flat=True)
            .distinct()
        )
    if not with_history:
        return scored
    customers = Customer.objects.in_bulk(list(with_history))
    kept = []
    for row in scored:
        if row[1] in with_history and policy_exclusion(
            customer=customers[row[1]],
            campaign=campaign,
            channel_kind=kind,
            offer_id=row[2],
            now=now,
        ):
            continue
        kept.append(row)
    return kept


def _deal(scored, shares: list[OutboundShare]) -> dict[int, list]:
    """Deal the members, best first, to the sites in proportion to their shares (smooth round robin)."""
    total = sum(s.share for s in shares)
    buckets: dict[int, list] = {s.site.pk: [] for s in shares}
    credit = {s.site.pk: 0.0 for s in shares}
    for row in scored:
        for s in shares:
            credit[s.site.pk] += s.share / total
        site_id = max(credit, key=lambda k: credit[k])
        credit[site_id] -= 1
        buckets[site_id].append(row)
    return buckets


def _carry_callbacks(campaign, lists: dict[int, CallList], now) -> dict[int, set[int]]:
    """Callbacks still waiting on earlier lists move to today's list of the same site."""
    carried: dict[int, set[int]] = {}
    for site_id, call_list in lists.items():
        waiting = Lead.objects.filter(
            call_list__campaign=campaign,
            call_list__site_id=site_id,
            call_list__day__lt=call_list.day,
            state=LeadState.WAITING,
            is_callback=True,
        )
        ids = set(waiting.values_list("customer_id", flat=True))
        waiting.update(call_list=call_list)
        carried[site_id] = ids
    return carried


def _close_earlier_days(campaign, lists: dict[int, CallList], now) -> int:
    """Leads of earlier days still waiting (never reached, or a retry still due) are closed as
    expired: today's list, built from today's target group and policy, replaces them. Leads an
    agent holds right now are left to the agent."""
    closed = 0
    for site_id, call_list in lists.items():
        closed += Lead.objects.filter(
            call_list__campaign=campaign,
            call_list__site_id=site_id,
            call_list__day__lt=call_list.day,
            state=LeadState.WAITING,
        ).update(state=LeadState.EXPIRED, closed_at=now)
    return closed


# --- Figures for team leads and CVM managers ------------------------------------------------


@dataclass
class ListFigures:
    call_list: CallList
    size: int
    remaining: int
    attempted: int
    calls: int
    reached: int
    converted: int
    skipped: int
    expired: int  # left waiting on their day, closed when the next day's list was built
    at_risk: bool
    agents: list[dict]

    @property
    def contact_rate(self) -> float | None:
        return self.reached / self.attempted if self.attempted else None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.reached if self.reached else None


def list_figures(lists, *, now: datetime | None = None) -> list[ListFigures]:
    """Per list: size, remaining, attempted, reached, converted, per agent; and whether it will finish."""
    now = now or timezone.now()
    lists = list(lists.select_related("campaign", "site"))
    ids = [c.pk for c in lists]
    leads = {
        row["call_list_id"]: row
        for row in Lead.objects.filter(call_list_id__in=ids)
        .values("call_list_id")
        .annotate(
            total=Count("id"),
            remaining=Count("id", filter=Q(state__in=[LeadState.WAITING, LeadState.ASSIGNED])),
            skipped=Count("id", filter=Q(state=LeadState.SKIPPED)),
            expired=Count("id", filter=Q(state=LeadState.EXPIRED)),
            converted=Count("id", filter=Q(converted_at__isnull=False)),
        )
    }
    per_list = {
        row["lead__call_list_id"]: row
        for row in CallAttempt.objects.filter(lead__call_list_id__in=ids)
        .values("lead__call_list_id")
        .annotate(
            calls=Count("id"),
            attempted=Count("lead", distinct=True),
            reached=Count("lead", distinct=True, filter=Q(disposition=Disposition.REACHED)),
            first=Min("at"),
        )
    }
    agents: dict[int, list[dict]] = {}
    for row in (
        CallAttempt.objects.filter(lead__call_list_id__in=ids)
        .values(
            "lead__call_list_id",
            "agent_id",
            "agent__username",
            "agent__first_name",
            "agent__last_name",
        )
        .annotate(
            calls=Count("id"),
            reached=Count("lead", distinct=True, filter=Q(disposition=Disposition.REACHED)),
        )
        .order_by("lead__call_list_id", "agent__username")
    ):
        agents.setdefault(row["lead__call_list_id"], []).append(row)
    conversions = {
        (row["call_list_id"], row["assigned_to_id"]): row["n"]
        for row in Lead.objects.filter(call_list_id__in=ids, converted_at__isnull=False)
        .values("call_list_id", "assigned_to_id")
        .annotate(n=Count("id"))
    }
    figures = []
    for call_list in lists:
        lead_row = leads.get(call_list.pk, {})
        attempt_row = per_list.get(call_list.pk, {})
        rows = agents.get(call_list.pk, [])
        for row in rows:
            row["converted"] = conversions.get((call_list.pk, row["agent_id"]), 0)
            name = f"{row['agent__first_name']} {row['agent__last_name']}".strip()
            row["name"] = name or row["agent__username"] or "—"
        remaining = lead_row.get("remaining", 0)
        figures.append(
            ListFigures(
                call_list=call_list,
                size=call_list.size,
                remaining=remaining,
                attempted=attempt_row.get("attempted", 0),
                calls=attempt_row.get("calls", 0),
                reached=attempt_row.get("reached", 0),
                converted=lead_row.get("converted", 0),
                skipped=lead_row.get("skipped", 0),
                expired=lead_row.get("expired", 0),
                at_risk=_at_risk(
                    call_list, remaining, lead_row.get("total", 0), attempt_row.get("first"), now
                ),
                agents=rows,
            )
        )
    return figures


def _at_risk(call_list: CallList, remaining: int, total: int, first, now: datetime) -> bool:
    """True when, at the pace since the first call today, the list will not be done by closing."""
    if remaining == 0 or call_list.day != local_day(call_list.site, now):
        return False
    start, end = calling_window(call_list.site, call_list.day)
    if now >= end:
        return True
    if first is None or now <= first:
        return False  # no pace yet
    done = total - remaining
    hours_so_far = (now - max(first, start)).total_seconds() / 3600
    if hours_so_far <= 0:
        return False
    pace = done / hours_so_far
    hours_left = (end - now).total_seconds() / 3600
    return pace * hours_left < remaining


# --- What an agency has earned ------------------------------------------------------------


def agency_earnings(*, site: Site, now: datetime | None = None) -> list[dict]:
    """Per campaign this (site-local) month: what the agency's statement says it has earned.

    One source of truth for what an agency is paid: ``bonus.agency_statement`` — accepted
    outcomes recorded at the site, less those cancelled, and reached contacts, × the rates of
    the campaign's share. The call-list page and the monthly statement show the same figures."""
    return agency_statement(site=site, month=local_day(site, now).replace(day=1))


def month_label(site: Site, now: datetime | None = None) -> str:
    return local_day(site, now).strftime("%Y-%m")
