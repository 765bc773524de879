"""Bonus statements: the one service that turns recorded outcomes into what agents earn.

A statement is computed in two steps. ``_gather`` reads the period's accepted offers, their
cancellations, the agent's contacts (for the quality gate) and the adjustments owed from
closed periods; ``settle`` is pure arithmetic on those facts and returns the lines. Every
amount the agent gets or loses is a line, so the total is always the sum of the lines:

    conversions (+) and clawbacks (−)   → earned before tiers (never below zero)
    tier accelerator (+)                 → the part above each threshold × its multiplier
    quality gate (−)                     → nothing of this period is paid when it is not met
    adjustments from closed periods (±)  → late outcomes, cancellations after close
    cap (−)                              → whatever is above the plan's cap

Recomputing replaces an open statement's lines with the same ones (idempotent). Closing a
period freezes its statements; anything that happens to that period afterwards lands in the
agent's next open statement as an adjustment, never in the frozen one.

With ``BonusPlan.requires_training`` on, a conversion in a campaign whose programme guide the
agent has not completed is shown with a gate line that takes its amount back; once the guide
is completed, the next recomputation pays it (while the period is open).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import Outcome
from campaigns.models import Decision, Response
from channels.bonus import messages
from channels.bonus.arithmetic import Facts, Line, best_rule, settle
from channels.bonus.periods import covered_agents, period_bounds
from channels.choices import LineKind, StatementStatus
from channels.models.bonus import (
    ZERO,
    BonusLine,
    BonusPlan,
    BonusRule,
    BonusStatement,
    Cancellation,
)
from channels.models.sites import AgentProfile
from cvm_portal import formatting as fmt
from cvm_portal.audit import record_access


def _rules(plan: BonusPlan) -> list[BonusRule]:
    return list(plan.rules.select_related("offer", "campaign"))


def _award_line(
    response: Response, rules: list[BonusRule], plan: BonusPlan, now: datetime, kind: str
) -> Line | None:
    rule = best_rule(
        rules,
        campaign_id=response.campaign_id,
        offer_id=response.offer_id,
        family=response.offer.product.family,
    )
    if rule is None:
        return None
    window_end = response.recorded_at + timedelta(days=plan.clawback_days)
    return Line(
        kind,
        rule.award(response.offer.value),
        "award",
        {
            "offer": response.offer.title,
            "campaign": response.campaign.code,
            "rule": messages.rule_params(rule),
        },
        response_id=response.pk,
        rule_id=rule.pk,
        at=response.recorded_at,
        pending=kind == LineKind.CONVERSION
        and now < window_end
        and getattr(response, "cancellation", None) is None,
    )


def _cancelled_in_window(response: Response, plan: BonusPlan) -> Cancellation | None:
    cancellation = getattr(response, "cancellation", None)
    if cancellation is None:
        return None
    if cancellation.cancelled_at > response.recorded_at + timedelta(days=plan.clawback_days):
        return None  # cancelled after the window: the agent keeps it
    return cancellation


def _accepted(agent, start: datetime, end: datetime):
    return (
        Response.objects.filter(
            agent=agent, outcome=Outcome.ACCEPTED, recorded_at__gte=start, recorded_at__lt=end
        )
        .select_related("offer__product", "campaign", "cancellation")
        .order_by("recorded_at", "pk")
    )


def _untrained_campaigns(plan: BonusPlan, agent, accepted) -> dict[int, list[dict]]:
    """With the training gate on: the campaigns of the agent's conversions whose published guide
    (for this agent) they have not completed, with those guides. A campaign without a guide for
    them has nothing to pass. One query for the campaigns and one for the guides."""
    if not plan.requires_training:
        return {}
    from training.gating import guides_to_complete

    campaign_ids = set(accepted.order_by().values_list("campaign_id", flat=True).distinct())
    return guides_to_complete(user=agent, campaign_ids=campaign_ids)


def _adjustments(plan: BonusPlan, agent, now: datetime) -> list[Line]:
    """What closed periods still owe or take back: they land in the agent's first open statement
    after them, and never twice (a frozen statement's lines say what is already settled)."""
    closed = list(
        BonusStatement.objects.filter(
            agent=agent, status=StatementStatus.FROZEN, plan__ends_on__lt=plan.starts_on
        ).select_related("plan")
    )
    if not closed:
        return []
    open_between = list(
        BonusStatement.objects.filter(
            agent=agent,
            status=StatementStatus.OPEN,
            plan__starts_on__lt=plan.starts_on,
        )
        .exclude(plan=plan)
        .values_list("plan__starts_on", flat=True)
    )
    closed = [s for s in closed if not any(s.plan.ends_on < day for day in open_between)]
    if not closed:
        return []
    settled = BonusLine.objects.filter(
        statement__agent=agent, statement__status=StatementStatus.FROZEN, response__isnull=False
    ).values_list("response_id", "kind", "amount", "statement__plan_id")
    paid: dict[int, tuple[Decimal, int]] = {}
    taken: set[int] = set()
    for response_id, kind, amount, plan_id in settled:
        if kind in (LineKind.CONVERSION, LineKind.LATE):
            paid[response_id] = (amount, plan_id)
        elif kind in (LineKind.CLAWBACK, LineKind.LATE_CLAWBACK):
            taken.add(response_id)
    lines: list[Line] = []
    plans = {s.plan_id: s.plan for s in closed}
    for statement in closed:
        start, end = period_bounds(statement.plan)
        rules = _rules(statement.plan)
        for response in _accepted(agent, start, end).exclude(pk__in=list(paid)):
            line = _award_line(response, rules, statement.plan, now, LineKind.LATE)
            if line is not None:
                line.code, line.params = (
                    "late",
                    {
                        "period_month": statement.plan.starts_on.isoformat()[:7],
                        "what": {"code": line.code, "params": line.params},
                    },
                )
                lines.append(line)
                paid[response.pk] = (line.amount, statement.plan_id)
                if _cancelled_in_window(response, statement.plan):
                    taken.discard(response.pk)  # paid and taken back in the same adjustment
    owed_back = [
        rid for rid, (_amount, plan_id) in paid.items() if rid not in taken and plan_id in plans
    ]
    for response in (
        Response.objects.filter(pk__in=owed_back, cancellation__isnull=False)
        .select_related("offer", "cancellation")
        .order_by("pk")
    ):
        amount, plan_id = paid[response.pk]
        if _cancelled_in_window(response, plans[plan_id]) is None:
            continue
        lines.append(
            Line(
                LineKind.LATE_CLAWBACK,
                -amount,
                "late_clawback",
                {
                    "cancelled_day": timezone.localdate(
                        response.cancellation.cancelled_at
                    ).isoformat(),
                    "period_month": plans[plan_id].starts_on.isoformat()[:7],
                    "offer": response.offer.title,
                },
                response_id=response.pk,
                at=response.cancellation.cancelled_at,
            )
        )
    return lines


def _contacts(agent, start: datetime, end: datetime) -> tuple[int, int]:
    """Contacts where offers were shown to the agent, and those with an outcome recorded."""
    shown = Decision.objects.filter(
        agent=agent, created_at__gte=start, created_at__lt=end, presentations__held_out=False
    )
    figures = shown.aggregate(
        contacts=Count("pk", distinct=True),
        with_outcome=Count("pk", distinct=True, filter=Q(presentations__response__isnull=False)),
    )
    return figures["contacts"], figures["with_outcome"]


def gather(plan: BonusPlan, agent, now: datetime) -> Facts:
    """Read everything a statement is computed from."""
    start, end = period_bounds(plan)
    rules = _rules(plan)
    facts = Facts(
        target=plan.target,
        tiers=[(t.threshold, t.multiplier) for t in plan.tiers.all()],
        cap=plan.cap,
        min_share=plan.min_presentation_share,
    )
    untrained = _untrained_campaigns(plan, agent, _accepted(agent, start, end))
    for response in _accepted(agent, start, end):
        line = _award_line(response, rules, plan, now, LineKind.CONVERSION)
        if line is None:
            continue
        facts.conversions.append(line)
        cancellation = _cancelled_in_window(response, plan)
        if cancellation is None and response.campaign_id in untrained:
            facts.clawbacks.append(
                Line(
                    LineKind.GATE,
                    -line.amount,
                    "untrained",
                    {
                        "campaign": response.campaign.name,
                        "guide": untrained[response.campaign_id][0]["title"],
                    },
                    response_id=response.pk,
                    at=response.recorded_at,
                )
            )
        if cancellation is not None:
            facts.clawbacks.append(
                Line(
                    LineKind.CLAWBACK,
                    -line.amount,
                    "clawback",
                    {
                        "cancelled_day": timezone.localdate(cancellation.cancelled_at).isoformat(),
                        "days": plan.clawback_days,
                        "offer": response.offer.title,
                    },
                    response_id=response.pk,
                    at=cancellation.cancelled_at,
                )
            )
    facts.contacts, facts.contacts_with_outcome = _contacts(agent, start, end)
    facts.adjustments = _adjustments(plan, agent, now)
    return facts


# --- Writing statements ----------------------------------------------------------------------


@transaction.atomic
def refresh_statement(*, plan: BonusPlan, agent, now: datetime | None = None) -> BonusStatement:
    """Recompute one agent's statement from recorded outcomes; a frozen one is returned as it is.

    Idempotent: the same outcomes give the same lines and total, however often it runs.
    """
    now = now or timezone.now()
    # Lock the statement row only (the model's ordering would join, and lock, the plan too).
    statement = (
        BonusStatement.objects.select_for_update(of=("self",))
        .filter(plan=plan, agent=agent)
        .order_by()
        .first()
    )
    if statement is not None and statement.is_frozen:
        return statement
    profile = AgentProfile.objects.filter(user=agent).first()
    if statement is None:
        if profile is None:
            raise ValidationError(
                _("This user is not attached to a site, so they have no statement.")
            )
        # Two first requests at once: get_or_create lets one insert; both then take the lock,
        # so the lines are written by one at a time and never twice.
        created, _new = BonusStatement.objects.get_or_create(
            plan=plan, agent=agent, defaults={"site_id": profile.site_id}
        )
        statement = BonusStatement.objects.select_for_update().get(pk=created.pk)
        if statement.is_frozen:
            return statement
    facts = gather(plan, agent, now)
    result = settle(facts)
    if profile is not None:
        statement.site_id = profile.site_id
    statement.conversions = sum(1 for line in result.lines if line.kind == LineKind.CONVERSION)
    statement.earned = result.earned
    statement.attainment = result.attainment
    statement.tier_multiplier = result.multiplier
    statement.contacts, statement.contacts_with_outcome = (
        facts.contacts,
        facts.contacts_with_outcome,
    )
    statement.gate_met = result.gate_met
    statement.pending = result.pending
    statement.total = result.total
    statement.computed_at = now
    statement.save()
    statement.lines.all().delete()
    BonusLine.objects.bulk_create(
        BonusLine(
            statement=statement,
            kind=line.kind,
            response_id=line.response_id,
            rule_id=line.rule_id,
            description_code=line.code,
            description_params=line.params,
            at=line.at,
            amount=line.amount,
            pending=line.pending,
        )
        for line in result.lines
    )
    return statement


STALE_AFTER = timedelta(minutes=15)


def current_statement(*, plan: BonusPlan, agent, site_id: int | None) -> BonusStatement:
    """The statement for a page: recomputed only when something may have changed since it was
    computed (an offer shown, an outcome or a cancellation), or after 15 minutes (the schedule's
    pace: clawback windows run out, rules may be edited). A frozen one is returned as it is."""
    now = timezone.now()
    found = BonusStatement.objects.filter(plan=plan, agent=agent).first()
    if found is not None and (found.is_frozen or _still_fresh(found, agent, site_id, now)):
        return found
    return refresh_statement(plan=plan, agent=agent, now=now)


def _still_fresh(statement: BonusStatement, agent, site_id: int | None, now: datetime) -> bool:
    since = statement.computed_at
    if since is None or now - since > STALE_AFTER:
        return False
    responses = Response.objects.filter(agent=agent, recorded_at__gte=since)
    if site_id is not None:
        responses = responses.filter(site_id=site_id)  # the (site, recorded) index
    return not (
        responses.exists()
        or Decision.objects.filter(created_at__gte=since, agent=agent).exists()
        or Cancellation.objects.filter(response__agent=agent, created_at__gte=since).exists()
    )


def refresh_plan(*, plan: BonusPlan, now: datetime | None = None) -> int:
    """Recompute the statements of everyone the plan pays (and anyone who already has one)."""
    agents = {p.user_id: p.user for p in covered_agents(plan)}
    for statement in plan.statements.select_related("agent"):
        agents.setdefault(statement.agent_id, statement.agent)
    for agent in agents.values():
        refresh_statement(plan=plan, agent=agent, now=now)
    return len(agents)


def refresh_open_plans(*, now: datetime | None = None) -> int:
    """Recompute the statements of every plan that has started and is not closed yet."""
    now = now or timezone.now()
    count = 0
    for plan in BonusPlan.objects.filter(
        closed_at__isnull=True, starts_on__lte=timezone.localdate(now)
    ):
        count += refresh_plan(plan=plan, now=now)
    return count


@transaction.atomic
def close_period(*, plan: BonusPlan, user, now: datetime | None = None) -> int:
    """Recompute, then freeze every statement of the plan; audit-logged. Returns how many."""
    now = now or timezone.now()
    # NO KEY UPDATE: two closes wait for each other, but a statement being inserted meanwhile
    # (whose foreign key takes a KEY SHARE lock on the plan) does not deadlock with this one.
    given, plan = plan, BonusPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if plan.is_closed:
        raise ValidationError(_("This period is already closed."))
    if timezone.localdate(now) <= plan.ends_on:
        raise ValidationError(
            _("The period runs until %(day)s; close it after that day.")
            % {"day": fmt.date(plan.ends_on)}
        )
    count = refresh_plan(plan=plan, now=now)
    plan.statements.update(status=StatementStatus.FROZEN, frozen_at=now)
    BonusPlan.objects.filter(pk=plan.pk).update(closed_at=now, closed_by=user)
    given.closed_at, given.closed_by = now, user
    record_access(
        user=user,
        action="bonus_close",
        obj=plan,
        detail=f"{count} statements frozen, total "
        f"{plan.statements.aggregate(t=Sum('total'))['t'] or ZERO} {plan.unit_label}",
    )
    return count


def payroll_csv(*, plan: BonusPlan, user) -> str:
    """The closed period's payouts, one row per agent, for payroll; audit-logged."""
    if not plan.is_closed:
        raise ValidationError(_("Close the period first: payroll gets frozen statements only."))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "plan_id",
            "period_start",
            "period_end",
            "username",
            "employee_name",
            "site_code",
            "conversions",
            "total",
            "unit",
            "payout",
            "currency",
        ]
    )
    rows = plan.statements.select_related("agent", "site").order_by("site__code", "agent__username")
    for s in rows:
        writer.writerow(
            [
                plan.pk,
                plan.starts_on.isoformat(),
                plan.ends_on.isoformat(),
                s.agent.get_username(),
                s.agent.get_full_name(),
                s.site.code,
                s.conversions,
                f"{s.total:.2f}",
                plan.unit,
                f"{s.payout:.2f}",
                settings.CVM_CURRENCY,
            ]
        )
    record_access(user=user, action="bonus_payroll_export", obj=plan, detail=f"{rows.count()} rows")
    return out.getvalue()
