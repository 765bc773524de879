"""The agent's side: what is assigned to them, reading, acknowledging, taking a quiz."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvm_portal.roles import roles_of

from .models import (
    Assignment,
    AttemptAnswer,
    Completion,
    Guide,
    GuideVersion,
    Question,
    QuizAttempt,
    counting_completion,
)
from .sites import directory
from .teams import kinds_of

DUE_SOON = timedelta(days=3)


def person(user) -> dict:
    """What the audience rule needs to know about a user: roles, site, channel kind, and the
    digital kinds a digital team member works on."""
    post = directory().post_of(user)
    return {
        "roles": {str(r) for r in roles_of(user)},
        "site_id": post.site_id if post else None,
        "channel_kind": post.channel_kind if post else "",
        "digital_kinds": kinds_of(user),
    }


def sync_assignments(user, *, now=None) -> None:
    """Assign to ``user`` every published guide whose audience includes them (new starters too)."""
    now = now or timezone.now()
    who = person(user)
    if who["site_id"] is None and not who["digital_kinds"]:
        return
    unassigned = Guide.objects.published().filter(
        ~Exists(Assignment.objects.filter(user=user, guide=OuterRef("pk")))
    )
    new = [
        Assignment(
            guide=guide,
            user=user,
            site_id=who["site_id"],
            assigned_at=now,
            due_at=now + timedelta(days=guide.due_days),
        )
        for guide in unassigned
        if guide.audience_includes(**who)
    ]
    Assignment.objects.bulk_create(new, ignore_conflicts=True)


def assignment_for(user, guide_id: int) -> Assignment:
    """The user's assignment of a published guide; 404 if the guide is not theirs to read."""
    assignment = (
        Assignment.objects.select_related("guide__current_version")
        .filter(user=user, guide_id=guide_id, guide__current_version__isnull=False)
        .first()
    )
    if assignment is None:
        sync_assignments(user)
        assignment = (
            Assignment.objects.select_related("guide__current_version")
            .filter(user=user, guide_id=guide_id, guide__current_version__isnull=False)
            .first()
        )
    if assignment is None:
        raise Http404
    return assignment


@dataclass
class Item:
    """One line of "My training"."""

    assignment: Assignment
    status: str  # overdue, due_soon, assigned, reacknowledge, completed
    completion: Completion | None


def my_training(user, *, now=None) -> dict[str, list[Item]]:
    """The user's guides sorted into overdue, due soon, assigned and completed (three queries)."""
    now = now or timezone.now()
    sync_assignments(user, now=now)
    assignments = list(
        Assignment.objects.filter(user=user, guide__current_version__isnull=False)
        .select_related("guide__current_version")
        .annotate(done=counting_completion(user.pk, OuterRef("guide_id")))
        .order_by("due_at")
    )
    latest: dict[int, Completion] = {}
    for c in (
        Completion.objects.filter(user=user).select_related("version").order_by("version__number")
    ):
        latest[c.guide_id] = c
    groups: dict[str, list[Item]] = {"overdue": [], "due_soon": [], "assigned": [], "completed": []}
    for a in assignments:
        completion = latest.get(a.guide_id)
        if a.done:
            groups["completed"].append(Item(a, "completed", completion))
            continue
        if a.due_at < now:
            key = "overdue"
        elif a.due_at < now + DUE_SOON:
            key = "due_soon"
        else:
            key = "assigned"
        status = (
            "reacknowledge"
            if completion is not None and completion.completed_at is not None
            else key
        )
        groups[key].append(Item(a, status, completion))
    return groups


def mark_opened(assignment: Assignment) -> None:
    """Remember when the person first opened the guide (progress kept across sessions)."""
    if assignment.opened_at is None:
        assignment.opened_at = timezone.now()
        assignment.save(update_fields=["opened_at"])


def _complete_if_done(completion: Completion, now) -> None:
    if (
        completion.completed_at is None
        and completion.acknowledged_at is not None
        and (completion.passed_at is not None or not completion.version.has_quiz)
    ):
        completion.completed_at = now


def _site_id(user) -> int | None:
    post = directory().post_of(user)
    return post.site_id if post else None


@transaction.atomic
def acknowledge(*, user, guide: Guide) -> Completion:
    """The user confirms they read the current version; a quiz they passed before still counts."""
    version: GuideVersion = guide.current_version
    if version is None:
        raise ValidationError(_("This guide is not published."), code="unpublished")
    now = timezone.now()
    completion, _created = Completion.objects.select_for_update().get_or_create(
        user=user, version=version, defaults={"guide": guide, "site_id": _site_id(user)}
    )
    if completion.acknowledged_at is None:
        completion.acknowledged_at = now
    if version.has_quiz and completion.passed_at is None:
        earlier = (
            Completion.objects.filter(user=user, guide=guide, passed_at__isnull=False)
            .exclude(pk=completion.pk)
            .order_by("-passed_at")
            .first()
        )
        if earlier is not None:
            completion.passed_at, completion.score = earlier.passed_at, earlier.score
    _complete_if_done(completion, now)
    completion.save()
    return completion


def attempts_left(*, user, version: GuideVersion) -> int | None:
    """How many quiz attempts the user has left on this version (None: unlimited)."""
    if not version.max_attempts:
        return None
    used = QuizAttempt.objects.filter(user=user, version=version).count()
    return max(0, version.max_attempts - used)


@dataclass
class Graded:
    attempt: QuizAttempt
    wrong: list[dict]  # the questions answered wrong, with the right answers


@transaction.atomic
def submit_quiz(*, user, guide: Guide, answers: dict[str, list[str]]) -> Graded:
    """Score the user's answers to the current version's quiz; a pass at the pass mark counts."""
    version: GuideVersion = guide.current_version
    if version is None or not version.has_quiz:
        raise ValidationError(_("This guide has no quiz."), code="no_quiz")
    # Lock the person's completion row first, so two submissions cannot both use the last attempt.
    completion, _created = Completion.objects.select_for_update().get_or_create(
        user=user, version=version, defaults={"guide": guide, "site_id": _site_id(user)}
    )
    left = attempts_left(user=user, version=version)
    if left == 0:
        raise ValidationError(
            ngettext(
                "You have used your %(n)d attempt at this quiz. Ask your trainer for help.",
                "You have used all %(n)d attempts at this quiz. Ask your trainer for help.",
                version.max_attempts,
            )
            % {"n": version.max_attempts},
            code="no_attempts_left",
        )
    wrong, right_count, results = [], 0, []
    for q in version.quiz:
        chosen = {str(v) for v in answers.get(str(q["id"]), [])}
        right = {str(c["id"]) for c in q["choices"] if c["correct"]}
        correct = chosen == right
        right_count += correct
        results.append((q, correct))
        if not correct:
            wrong.append(
                {
                    "text": q["text"],
                    "chosen": [c["text"] for c in q["choices"] if str(c["id"]) in chosen],
                    "right": [c["text"] for c in q["choices"] if c["correct"]],
                }
            )
    score = round(100 * right_count / len(version.quiz))
    passed = score >= version.pass_mark
    attempt = QuizAttempt.objects.create(
        user=user,
        guide=guide,
        version=version,
        site_id=_site_id(user),
        answers={k: list(v) for k, v in answers.items()},
        score=score,
        passed=passed,
    )
    existing = set(
        Question.objects.filter(pk__in=[q["id"] for q in version.quiz]).values_list("pk", flat=True)
    )
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(
            attempt=attempt,
            question_id=q["id"] if q["id"] in existing else None,
            question_text=q["text"][:500],
            correct=correct,
        )
        for q, correct in results
    )
    now = timezone.now()
    if passed:
        if completion.passed_at is None:
            completion.passed_at = now
        completion.score = max(completion.score or 0, score)
        _complete_if_done(completion, now)
        completion.save()
    return Graded(attempt=attempt, wrong=wrong)
