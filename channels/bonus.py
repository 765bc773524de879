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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import catalogue
from campaigns.choices import Outcome
from campaigns.models import Campaign, Decision, Response
from cvm_portal.audit import record_access

from .bonus_models import (
    ZERO,
    BonusLine,
    BonusPlan,
    BonusRule,
    BonusStatement,
    Cancellation,
    LineKind,
    PlanUnit,
    StatementStatus,
)
from .choices import Disposition
from .models import AgentProfile, CallAttempt, OutboundShare, Site

CENT = Decimal("0.01")


# --- Periods and coverage --------------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month: a plan's default period."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period_bounds(plan: BonusPlan) -> tuple[datetime, datetime]:
    """The plan's period as [start, end) moments in the portal's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(plan.starts_on, time.min, tzinfo=zone)
    end = datetime.combine(plan.ends_on + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def overlapping_plans(
    *,
    channel_kind: str,
    site_ids: Iterable[int],
    starts_on: date,
    ends_on: date,
    exclude_pk: int | None = None,
):
    """Plans whose period and people overlap these: one agent must never be paid twice."""
    site_ids = list(site_ids)
    found = BonusPlan.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    if channel_kind:
        found = found.filter(Q(channel_kind="") | Q(channel_kind=channel_kind))
    if site_ids:
        found = found.filter(Q(sites__isnull=True) | Q(sites__in=site_ids))
    return found.distinct().order_by("starts_on")


def covered_agents(plan: BonusPlan):
    """The agent profiles a plan pays."""
    profiles = AgentProfile.objects.select_related("user", "site")
    if plan.channel_kind:
        profiles = profiles.filter(channel_kind=plan.channel_kind)
    site_ids = [s.pk for s in plan.sites.all()]
    if site_ids:
        profiles = profiles.filter(site_id__in=site_ids)
    return profiles


def plan_for(profile: AgentProfile, day: date) -> BonusPlan | None:
    """The plan paying this agent on ``day`` (plans never overlap for the same people)."""
    return (
        BonusPlan.objects.covering(site_id=profile.site_id, channel_kind=profile.channel_kind)
        .current(day)
        .distinct()
        .first()
    )


def today() -> date:
    return timezone.localdate()


# --- The arithmetic --------------------------------------------------------------------------


def best_rule(rules: list[BonusRule], *, campaign_id: int, offer_id: int, family: str):
    """The most specific matching rule (offer > campaign > product category > any), or None."""
    matching = [
        r for r in rules if r.matches(campaign_id=campaign_id, offer_id=offer_id, family=family)
    ]
    if not matching:
        return None
    return max(matching, key=lambda r: (r.specificity, -r.pk if r.pk else 0))


def tiered(earned: Decimal, target: Decimal, tiers: list[tuple[Decimal, Decimal]]):
    """Earnings after tiers, and the multiplier of the tier reached.

    ``tiers`` are (threshold % of target, multiplier); each multiplier applies to the part of
    the earnings above its threshold only (a marginal accelerator), so more conversions never
    earn less.
    """
    if earned <= 0 or not target or not tiers:
        return earned, Decimal("1")
    bands = [(ZERO, Decimal("1"))] + sorted(
        (Decimal(threshold) * target / 100, Decimal(multiplier)) for threshold, multiplier in tiers
    )
    total, current = ZERO, Decimal("1")
    for i, (low, multiplier) in enumerate(bands):
        high = bands[i + 1][0] if i + 1 < len(bands) else None
        if earned <= low:
            break
        top = earned if high is None else min(earned, high)
        total += (top - low) * multiplier
        current = multiplier
    return total.quantize(CENT), current


@dataclass
class Line:
    """A statement line before it is stored."""

    kind: str
    amount: Decimal
    description: str
    response_id: int | None = None
    rule_id: int | None = None
    at: datetime | None = None
    pending: bool = False


@dataclass
class Facts:
    """What a statement is computed from."""

    conversions: list[Line] = field(default_factory=list)
    clawbacks: list[Line] = field(default_factory=list)
    adjustments: list[Line] = field(default_factory=list)
    target: Decimal = ZERO
    tiers: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    cap: Decimal | None = None
    contacts: int = 0
    contacts_with_outcome: int = 0
    min_share: Decimal | None = None


@dataclass
class Settlement:
    lines: list[Line]
    earned: Decimal
    attainment: Decimal | None
    multiplier: Decimal
    gate_met: bool
    pending: Decimal
    total: Decimal


def gate_met(facts: Facts) -> bool:
    if facts.min_share is None or not facts.contacts:
        return True
    return Decimal(facts.contacts_with_outcome) * 100 >= facts.min_share * facts.contacts


def settle(facts: Facts) -> Settlement:
    """Pure arithmetic: the lines of a statement from its facts; the total is their sum."""
    lines = [*facts.conversions, *facts.clawbacks]
    # Each clawback takes back exactly its own conversion, so this is never below zero.
    earned = sum((line.amount for line in lines), ZERO)
    after_tiers, multiplier = tiered(earned, facts.target, facts.tiers)
    if after_tiers > earned:
        lines.append(
            Line(
                LineKind.ACCELERATOR,
                after_tiers - earned,
                _("Tier accelerator: earnings above the thresholds × their multipliers"),
            )
        )
    met = gate_met(facts)
    if not met and after_tiers:
        lines.append(
            Line(
                LineKind.GATE,
                -after_tiers,
                _(
                    "Quality gate not met: outcomes recorded for %(share)s %% of contacts, "
                    "%(needed)s %% needed"
                )
                % {
                    "share": (Decimal(facts.contacts_with_outcome) * 100 / facts.contacts).quantize(
                        Decimal("0.1")
                    ),
                    "needed": facts.min_share,
                },
            )
        )
    lines.extend(facts.adjustments)
    subtotal = sum((line.amount for line in lines), ZERO)
    if facts.cap is not None and subtotal > facts.cap:
        lines.append(
            Line(
                LineKind.CAP,
                facts.cap - subtotal,
                _("Cap of %(cap)s per period") % {"cap": facts.cap},
            )
        )
    total = sum((line.amount for line in lines), ZERO)
    pending = sum((line.amount for line in facts.conversions if line.pending), ZERO)
    attainment = (earned * 100 / facts.target).quantize(CENT) if facts.target else None
    return Settlement(lines, earned, attainment, multiplier, met, pending, total)


# --- Gathering the facts ---------------------------------------------------------------------


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
        _("%(offer)s (%(campaign)s), rule: %(rule)s")
        % {
            "offer": response.offer.title,
            "campaign": response.campaign.code,
            "rule": rule.describe(),
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
                line.description = _("Late outcome of %(period)s: %(what)s") % {
                    "period": statement.plan.starts_on.strftime("%Y-%m"),
                    "what": line.description,
                }
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
                _("Cancelled %(day)s, after %(period)s was closed: %(offer)s")
                % {
                    "day": response.cancellation.cancelled_at.date().isoformat(),
                    "period": plans[plan_id].starts_on.strftime("%Y-%m"),
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
                    _("Not paid until the training of %(campaign)s is completed: “%(guide)s”")
                    % {
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
                    _("Cancelled %(day)s, within %(days)d days: %(offer)s")
                    % {
                        "day": cancellation.cancelled_at.date().isoformat(),
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
            description=line.description[:300],
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
            % {"day": plan.ends_on.isoformat()}
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


# --- The console: what accepting an offer would earn -----------------------------------------


def would_earn(*, profile: AgentProfile | None, candidates, day: date | None = None) -> dict:
    """Per offer id on the page: what accepting it would earn under the agent's current plan.

    The plan's rules come from memory once one page has asked for them (one query before).
    """
    if profile is None or not candidates:
        return {}
    day = day or today()

    def current_rules() -> list[BonusRule]:
        plans = (
            BonusPlan.objects.covering(site_id=profile.site_id, channel_kind=profile.channel_kind)
            .current(day)
            .filter(closed_at__isnull=True)
            .values("pk")
        )
        return list(BonusRule.objects.filter(plan__in=plans).select_related("plan"))

    # Plans change rarely and every change renews the catalogue (channels.apps): held in memory.
    rules = catalogue.current().memo(
        ("bonus-rules", profile.site_id, profile.channel_kind, day), current_rules
    )
    if not rules:
        return {}
    earned = {}
    for c in candidates:
        rule = best_rule(
            rules, campaign_id=c.campaign.pk, offer_id=c.offer.pk, family=c.offer.product.family
        )
        if rule is not None:
            earned[c.offer.pk] = (rule.award(c.offer.value), rule.plan.unit_label)
    return earned


# --- Cancellations ---------------------------------------------------------------------------


@dataclass
class CancellationReport:
    created: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_day(value: str) -> datetime:
    day = date.fromisoformat(value.strip())
    return datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())


@transaction.atomic
def record_cancellations(*, text: str, user, now: datetime | None = None) -> CancellationReport:
    """Record cancelled conversions from CSV text (``response_id`` or ``presentation_id``, then
    optional ``cancelled_on`` YYYY-MM-DD and ``reason``). Re-sending a file changes nothing; bad
    rows are reported with their line and reason and the good ones are kept."""
    now = now or timezone.now()
    report = CancellationReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(c or "").strip() for c in (reader.fieldnames or [])}
    if not columns & {"response_id", "presentation_id"}:
        report.errors.append(
            _("Line 1: the header must name a response_id or a presentation_id column.")
        )
        return report
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        try:
            if row.get("response_id"):
                response = Response.objects.filter(pk=int(row["response_id"])).first()
            elif row.get("presentation_id"):
                response = Response.objects.filter(
                    presentation_id=int(row["presentation_id"])
                ).first()
            else:
                raise ValueError(_("no response_id or presentation_id"))
            if response is None:
                raise ValueError(_("no such recorded outcome"))
            if response.outcome != Outcome.ACCEPTED:
                raise ValueError(_("that outcome is not a conversion (it was not accepted)"))
            cancelled_at = _parse_day(row["cancelled_on"]) if row.get("cancelled_on") else now
            if cancelled_at < response.recorded_at - timedelta(days=1):
                raise ValueError(_("cancelled before the offer was accepted"))
            if cancelled_at > now + timedelta(days=1):
                raise ValueError(_("cancelled in the future"))
        except (ValueError, InvalidOperation) as exc:
            report.errors.append(_("Line %(n)d: %(why)s.") % {"n": number, "why": exc})
            continue
        _obj, created = Cancellation.objects.get_or_create(
            response=response,
            defaults={
                "cancelled_at": max(cancelled_at, response.recorded_at),
                "reason": row.get("reason", "")[:200],
                "entered_by": user,
            },
        )
        if created:
            report.created += 1
        else:
            report.already += 1
    return report


# --- The what-if simulator -------------------------------------------------------------------


@dataclass
class Simulation:
    rows: list[dict]
    conversions: int
    agents: int
    cost: Decimal
    cost_per_conversion: Decimal | None
    previous: dict | None


def campaign_award(plan: BonusPlan, campaign: Campaign, rules: list[BonusRule]) -> Decimal:
    """What one conversion of a campaign earns on average over its offers."""
    offers = list(campaign.offers.select_related("product"))
    awards = []
    for offer in offers:
        rule = best_rule(
            rules, campaign_id=campaign.pk, offer_id=offer.pk, family=offer.product.family
        )
        if rule is not None:
            awards.append(rule.award(offer.value))
    if not awards:
        return ZERO
    return (sum(awards, ZERO) / len(offers)).quantize(CENT)


def previous_plan(plan: BonusPlan) -> BonusPlan | None:
    """The latest earlier plan for the same people (same channel kind), for comparison."""
    return (
        BonusPlan.objects.filter(ends_on__lt=plan.starts_on, channel_kind=plan.channel_kind)
        .order_by("-ends_on")
        .first()
    )


def simulate(*, plan: BonusPlan, expected: dict[int, int], agents: int) -> Simulation:
    """The plan's cost if these conversions (per campaign id, for the whole team) happen, spread
    evenly over ``agents``: tiers and the cap are applied per agent."""
    if agents < 1:
        raise ValidationError(_("At least one agent is needed to spread the conversions over."))
    rules = _rules(plan)
    tiers = [(t.threshold, t.multiplier) for t in plan.tiers.all()]
    rows, earned_total, conversions = [], ZERO, 0
    for campaign in Campaign.objects.filter(pk__in=list(expected)).order_by("code"):
        count = expected[campaign.pk]
        award = campaign_award(plan, campaign, rules)
        rows.append(
            {"campaign": campaign, "conversions": count, "award": award, "earned": award * count}
        )
        earned_total += award * count
        conversions += count
    per_agent = (earned_total / agents).quantize(CENT)
    after_tiers, _multiplier = tiered(per_agent, plan.target, tiers)
    if plan.cap is not None:
        after_tiers = min(after_tiers, plan.cap)
    cost = after_tiers * agents
    if plan.unit == PlanUnit.POINTS:
        cost = cost * plan.point_value
    cost = cost.quantize(CENT)
    previous = None
    before = previous_plan(plan)
    if before is not None:
        figures = before.statements.aggregate(total=Sum("total"), conversions=Sum("conversions"))
        prev_cost = figures["total"] or ZERO
        if before.unit == PlanUnit.POINTS:
            prev_cost = (prev_cost * before.point_value).quantize(CENT)
        prev_conversions = figures["conversions"] or 0
        previous = {
            "plan": before,
            "cost": prev_cost,
            "conversions": prev_conversions,
            "cost_per_conversion": (prev_cost / prev_conversions).quantize(CENT)
            if prev_conversions
            else None,
        }
    return Simulation(
        rows=rows,
        conversions=conversions,
        agents=agents,
        cost=cost,
        cost_per_conversion=(cost / conversions).quantize(CENT) if conversions else None,
        previous=previous,
    )


# --- Agencies --------------------------------------------------------------------------------


def agency_statement(*, site: Site, month: date) -> list[dict]:
    """One agency's month, per campaign: conversions (less those cancelled) and reached contacts
    × the rates agreed on the campaign's outbound share (``OutboundShare``)."""
    from .outbound import local_moment

    first, last = month_bounds(month)
    start = local_moment(first, time.min, site.zone)
    end = local_moment(last + timedelta(days=1), time.min, site.zone)
    rows = []
    for share in OutboundShare.objects.filter(site=site).select_related("campaign"):
        accepted = Response.objects.filter(
            site_id=site.pk,
            campaign=share.campaign,
            outcome=Outcome.ACCEPTED,
            recorded_at__gte=start,
            recorded_at__lt=end,
        ).aggregate(
            conversions=Count("pk"),
            cancelled=Count("pk", filter=Q(cancellation__isnull=False)),
        )
        reached = (
            CallAttempt.objects.filter(
                site=site,
                lead__call_list__campaign=share.campaign,
                disposition=Disposition.REACHED,
                at__gte=start,
                at__lt=end,
            )
            .values("lead")
            .distinct()
            .count()
        )
        paid = accepted["conversions"] - accepted["cancelled"]
        earned = share.rate_per_conversion * paid + share.rate_per_reached * reached
        rows.append(
            {
                "campaign": share.campaign,
                "share": share,
                "conversions": accepted["conversions"],
                "cancelled": accepted["cancelled"],
                "reached": reached,
                "earned": earned.quantize(CENT),
            }
        )
    return rows
