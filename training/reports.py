"""Figures for trainers and team leads: completion, pass rates, overdue people, missed questions,
and what works in the field (the insight trainers build "what works" sessions from)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.choices import FeedbackReason, Outcome
from campaigns.models import OfferFeedback, Response

from . import teams
from .models import Assignment, AttemptAnswer, QuizAttempt, counting_completion
from .sites import directory

# The row of the people who work on the digital channels: they have no site.
DIGITAL_TEAMS = _("Digital teams")


def site_names() -> dict[int, str]:
    """Site id → name (sites belong to the delivery side, which answers through the directory)."""
    return directory().site_names()


def _assignments(site_id: int | None):
    qs = Assignment.objects.filter(guide__current_version__isnull=False)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.annotate(
        done=counting_completion(OuterRef("user_id"), OuterRef("guide_id")),
        passed=Exists(
            QuizAttempt.objects.filter(
                user_id=OuterRef("user_id"), guide_id=OuterRef("guide_id"), passed=True
            )
        ),
    )


def _rates(rows) -> list[dict]:
    out = []
    for row in rows:
        assigned = row["assigned"] or 0
        row["completion_rate"] = round(100 * row["completed"] / assigned) if assigned else 0
        row["pass_rate"] = round(100 * row["passed_n"] / assigned) if assigned else 0
        out.append(row)
    return out


COUNTS = ("assigned", "completed", "passed_n", "overdue")


def _counted(qs, *fields: str):
    now = timezone.now()
    return (
        qs.values(*fields)
        .annotate(
            assigned=Count("pk"),
            completed=Count("pk", filter=Q(done=True)),
            passed_n=Count("pk", filter=Q(passed=True)),
            overdue=Count("pk", filter=Q(done=False, due_at__lt=now)),
        )
        .order_by(*fields)
    )


def _grouped(qs, *fields: str) -> list[dict]:
    return _rates(_counted(qs, *fields))


def _site_order(site_id: int | None) -> tuple[bool, int]:
    """Sites in id order, the digital teams (no site) after them."""
    return (site_id is None, site_id or 0)


def _kinds_of(user_ids: set[int], digital: set[int]) -> dict[int, str]:
    """{user id: channel} as rows show it: the kind a person works in at their site (from the
    delivery side), or the digital kinds a digital team member works on ("web,app")."""
    kinds = directory().channel_kinds(user_ids) if user_ids - digital else {}
    if digital:
        members = teams.members()
        kinds.update({pk: ",".join(members[pk]) for pk in digital if pk in members})
    return kinds


def _channel_label(kind: str) -> str:
    return teams.kinds_label(kind.split(",")) or "—"


def _by_team(qs) -> list[dict]:
    """Rows per site and channel kind (a team): counted per person, then summed by the kind
    the delivery side says each person works in ("" for someone no longer at a site); digital
    team members (no site) by the kinds they work on."""
    rows = list(_counted(qs, "site_id", "user_id"))
    kinds = _kinds_of(
        {row["user_id"] for row in rows},
        {row["user_id"] for row in rows if row["site_id"] is None},
    )
    teams_: dict[tuple, dict] = {}
    for row in rows:
        kind = kinds.get(row["user_id"], "")
        team = teams_.setdefault(
            (row["site_id"], kind), {"site_id": row["site_id"], "channel_kind": kind}
        )
        for key in COUNTS:
            team[key] = team.get(key, 0) + row[key]
    order = sorted(teams_, key=lambda k: (*_site_order(k[0]), k[1] == "", k[1]))
    return _rates(teams_[key] for key in order)


def _site_name(names: dict[int, str], site_id: int | None) -> str:
    """A site's name; the digital teams, who work at no site, are a group of their own."""
    if site_id is None:
        return str(DIGITAL_TEAMS)
    return names.get(site_id, "—")


def dashboard(*, site_id: int | None = None) -> dict:
    """Completion and pass rates by guide, site and team (site × channel), overdue people and
    the most missed questions; ``site_id`` limits everything to one site (a team lead's)."""
    qs = _assignments(site_id)
    names = site_names()
    by_site = sorted(_grouped(qs, "site_id"), key=lambda row: _site_order(row["site_id"]))
    by_team = _by_team(qs)
    for row in [*by_site, *by_team]:
        row["site"] = _site_name(names, row["site_id"])
    for row in by_team:
        row["channel"] = _channel_label(row["channel_kind"])
    overdue = list(
        qs.filter(done=False, due_at__lt=timezone.now())
        .select_related("user", "guide")
        .order_by("due_at")[:200]
    )
    for a in overdue:
        a.site_name = _site_name(names, a.site_id)
    answers = AttemptAnswer.objects.filter(attempt__guide__current_version__isnull=False)
    if site_id is not None:
        answers = answers.filter(attempt__site_id=site_id)
    missed = list(
        answers.values("attempt__guide__title", "question_text")
        .annotate(answered=Count("pk"), wrong=Count("pk", filter=Q(correct=False)))
        .filter(wrong__gt=0)
        .order_by("-wrong", "question_text")[:10]
    )
    for row in missed:
        row["wrong_rate"] = round(100 * row["wrong"] / row["answered"])
    return {
        "by_guide": _grouped(qs, "guide_id", "guide__title"),
        "by_site": by_site,
        "by_team": by_team,
        "overdue": overdue,
        "missed": missed,
    }


def export_rows(*, site_id: int | None = None):
    """One row per assignment, for the CSV export."""
    names = site_names()
    now = timezone.now()
    qs = list(
        _assignments(site_id)
        .select_related("user", "guide__current_version")
        .order_by("guide__title", "site_id", "user__username")
    )
    kinds = _kinds_of({a.user_id for a in qs}, {a.user_id for a in qs if a.site_id is None})
    for a in qs:
        status = "completed" if a.done else ("overdue" if a.due_at < now else "open")
        yield [
            a.guide.title,
            a.guide.current_version.number,
            a.user.get_username(),
            a.user.get_full_name(),
            _site_name(names, a.site_id) if a.site_id is None else names.get(a.site_id, ""),
            kinds.get(a.user_id, ""),
            timezone.localtime(a.assigned_at).strftime("%Y-%m-%d"),
            timezone.localtime(a.due_at).strftime("%Y-%m-%d"),
            status,
            "yes" if a.passed else "no",
        ]


def _conversion(rows, min_presented: int) -> list[dict]:
    out = []
    for row in rows:
        if row["presented"] >= min_presented:
            row["rate"] = round(100 * row["accepted"] / row["presented"]) if row["presented"] else 0
            out.append(row)
    out.sort(key=lambda r: (-r["rate"], -r["presented"]))
    return out[:10]


def outcome_counts() -> dict[str, Count]:
    """The two counts every "what works" figure divides, as aggregates of responses: presented
    (accepted, declined or later: the customer heard the offer) and accepted. The campaign
    insight and the weekly digest (``training.digest``) both count with these."""
    return {
        "presented": Count("pk", filter=~Q(outcome=Outcome.NOT_PRESENTED)),
        "accepted": Count("pk", filter=Q(outcome=Outcome.ACCEPTED)),
    }


def campaign_insight(*, campaign, min_presented: int = 5) -> dict:
    """For one campaign: offers and agents by conversion (accepted ÷ presented) and the feedback
    reasons agents cite most. Agents with fewer than ``min_presented`` presentations are left out."""
    responses = Response.objects.filter(campaign=campaign)
    counts = outcome_counts()
    offers = _conversion(responses.values("offer__title").annotate(**counts), 1)
    agents = _conversion(
        responses.filter(agent__isnull=False)
        .values("agent_id", "agent__username", "agent__first_name", "agent__last_name", "site_id")
        .annotate(**counts),
        min_presented,
    )
    names = site_names()
    for row in agents:
        row["site"] = names.get(row["site_id"], "—")
    reasons = list(
        OfferFeedback.objects.filter(campaign=campaign)
        .exclude(reason="")
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")[:10]
    )
    for row in reasons:
        row["label"] = (
            FeedbackReason(row["reason"]).label
            if row["reason"] in FeedbackReason.values
            else row["reason"]
        )
    declines = list(
        responses.filter(outcome=Outcome.DECLINED)
        .values("decline_reason__label")
        .annotate(n=Count("pk"))
        .order_by("-n")[:10]
    )
    return {"offers": offers, "agents": agents, "reasons": reasons, "declines": declines}
