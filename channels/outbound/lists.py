"""Daily call lists: built from the active target groups of live outbound campaigns, and their figures.

A list is one campaign's leads for one site on one (site-local) day. The target group's
members pass the same contact policy as the console before they become leads: the control
group, do-not-contact and missing consent are filtered in the database; the history rules
(cooldowns, the global cap, declined and accepted offers) are asked of
``campaigns.decisioning.policy_exclusion`` for the customers that have any history at all —
a customer with none cannot fail them. Members are ordered by score and dealt to the sites in
the shares the CVM manager set, so each site gets leads of the same quality; the score is the
console's arbitration score (``campaigns.decisioning.arbitration_score``, with the weights the
CVM managers set). The members outside the control group and the customers' contact history
are read through ``campaigns.store`` (on PostgreSQL the control group is left out in SQL, and
the history of 50,000 customers is one statement). Building is idempotent: a site that
already has today's list for a campaign keeps it. Building a day's list carries the waiting
callbacks of earlier days over to it and closes the other leads of earlier days still waiting
(as expired).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns import catalogue, store
from campaigns.choices import OUTBOUND_CHANNEL_KINDS
from campaigns.decisioning import arbitration_score, policy_exclusion
from campaigns.fields import channel_kind_lookup
from campaigns.models import (
    Campaign,
    Customer,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
    contactable_in,
)
from channels.choices import LeadState
from channels.models.outbound import (
    OUTBOUND_SITE_KINDS,
    CallList,
    Lead,
    OutboundShare,
)
from channels.outbound.claiming import forget_todays_lists
from channels.outbound.hours import local_day

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
    carried = _carry_callbacks(campaign, lists)
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
    policy = catalogue.current().policy
    valid = [o for o in campaign.offers.filter(**channel_kind_lookup(kind)) if o.is_valid_at(now)]
    offer_values = {o.pk: o.annual_value for o in valid}  # when a member has no expected value
    offer_ids = {o.code: o.pk for o in valid}  # members name their offer by code
    if not offer_values:
        return []
    best_value = max(offer_values.values())
    version = TargetGroupVersion.objects.get(pk=version_id)
    members = TargetGroupMember.objects.filter(
        contactable_in(kind, prefix="customer__"), version_id=version_id
    )
    # The control group is never called.
    rows = store.members_outside_control(
        members, version, "customer__pk", "offer_id", "propensity", "expected_value"
    )
    scored = []
    for customer_id, offer_code, propensity, expected in rows:
        offer_id = offer_ids.get(offer_code) if offer_code is not None else None
        if offer_code is not None and offer_id is None:
            continue  # the suggested offer is not valid or not allowed in this kind
        value = expected
        if value is None:
            value = offer_values[offer_id] if offer_id else best_value
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
    histories = store.contact_history([row[1] for row in scored], now)
    if not histories:
        return scored
    customers = Customer.objects.in_bulk(list(histories))
    kept = []
    for row in scored:
        if row[1] in histories and policy_exclusion(
            customer=customers[row[1]],
            campaign=campaign,
            channel_kind=kind,
            offer_id=row[2],
            now=now,
            history=histories[row[1]],
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


def _carry_callbacks(campaign, lists: dict[int, CallList]) -> dict[int, set[int]]:
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
