"""Authoring: questions of a guide, publishing a version, and assigning a guide to its audience."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvm_portal.roles import Role

from . import teams
from .choices import QuestionKind
from .models import Assignment, Choice, Completion, Guide, GuideVersion, Question
from .rendering import reading_minutes, render_markdown
from .sites import directory


def parse_choices(text: str) -> list[tuple[str, bool]]:
    """Answers typed one a line, the right ones starting with ``*``: [(answer, is_right)]."""
    choices = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        right = line.startswith("*")
        answer = line.lstrip("*").strip()
        if answer:
            choices.append((answer[:300], right))
    return choices


def check_choices(kind: str, choices: list[tuple[str, bool]]) -> None:
    """Raise a clear error unless the answers make a question an agent can answer."""
    if len(choices) < 2:
        raise ValidationError(_("Give at least two answers, one a line."), code="few_choices")
    right = sum(1 for _answer, is_right in choices if is_right)
    if right == 0:
        raise ValidationError(
            _("Mark the right answer with a * at the start of its line."), code="no_right"
        )
    if kind == QuestionKind.SINGLE and right > 1:
        raise ValidationError(
            _("A one-answer question has exactly one right answer; %(n)d are marked with *.")
            % {"n": right},
            code="several_right",
        )
    if len({answer for answer, _r in choices}) < len(choices):
        raise ValidationError(_("Two answers are the same."), code="duplicate_choice")


@transaction.atomic
def add_question(
    *, guide: Guide, text: str, kind: str, choices: list[tuple[str, bool]]
) -> Question:
    """Add a quiz question with its answers to the guide's draft (published with the next version)."""
    check_choices(kind, choices)
    position = guide.questions.count() + 1
    question = Question.objects.create(guide=guide, text=text, kind=kind, position=position)
    Choice.objects.bulk_create(
        Choice(question=question, text=answer, is_correct=right) for answer, right in choices
    )
    return question


def _quiz_snapshot(guide: Guide) -> list[dict]:
    return [
        {
            "id": q.pk,
            "text": q.text,
            "kind": q.kind,
            "choices": [
                {"id": c.pk, "text": c.text, "correct": c.is_correct} for c in q.choices.all()
            ],
        }
        for q in guide.questions.prefetch_related("choices")
    ]


@transaction.atomic
def publish_guide(*, guide: Guide, by, material: bool = True, note: str = "") -> GuideVersion:
    """Freeze the guide as a new version agents read now; a material change asks everyone who
    completed an earlier version to re-acknowledge (a minor fix does not)."""
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    previous = guide.current_version
    material = material or previous is None  # the first version is always the one to learn
    number = (previous.number if previous else 0) + 1
    version = GuideVersion.objects.create(
        guide=guide,
        number=number,
        # Both languages' titles (training/translation.py), whoever publishes.
        title_en=guide.title_en,
        title_pl=guide.title_pl,
        body=guide.body,
        body_html=render_markdown(guide.body),
        reading_minutes=reading_minutes(guide.body),
        quiz=_quiz_snapshot(guide),
        pass_mark=guide.pass_mark,
        max_attempts=guide.max_attempts,
        material=material,
        note=note,
        published_by=by,
    )
    guide.current_version = version
    fields = ["current_version", "updated_at"]
    if material:
        guide.required_version = number
        fields.append("required_version")
    guide.save(update_fields=fields)
    now = timezone.now()
    if material and previous is not None:
        # Those who completed before now have to re-acknowledge: a fresh due date for them.
        Assignment.objects.filter(
            guide=guide,
            user__in=Completion.objects.filter(guide=guide, completed_at__isnull=False).values(
                "user"
            ),
        ).update(assigned_at=now, due_at=now + timedelta(days=guide.due_days))
    assign_audience(guide=guide, now=now)
    return version


def audience_people(guide: Guide) -> list[tuple[int, int | None]]:
    """(user id, site id) of every active person at a site whom the guide's audience includes,
    then (user id, None) of the digital team members it includes."""
    people = directory().people(channel_kinds=guide.channel_kinds, site_ids=guide.site_ids)
    found = {
        pk: post.site_id
        for pk, post in people.items()
        if guide.audience_includes(
            roles={"agent", "team_lead"} if post.is_team_lead else {"agent"},
            site_id=post.site_id,
            channel_kind=post.channel_kind,
        )
    }
    if Role.DIGITAL_TEAM.value in guide.roles:
        for pk, kinds in teams.members(channel_kinds=guide.channel_kinds).items():
            if pk not in found and guide.audience_includes(
                roles={Role.DIGITAL_TEAM.value}, site_id=None, channel_kind="", digital_kinds=kinds
            ):
                found[pk] = None
    return list(found.items())


def assign_audience(*, guide: Guide, now=None) -> int:
    """Assign a published guide to everyone in its audience who does not have it yet; how many."""
    now = now or timezone.now()
    due = now + timedelta(days=guide.due_days)
    have = set(Assignment.objects.filter(guide=guide).values_list("user_id", flat=True))
    new = [
        Assignment(guide=guide, user_id=pk, site_id=site_id, assigned_at=now, due_at=due)
        for pk, site_id in audience_people(guide)
        if pk not in have
    ]
    Assignment.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
