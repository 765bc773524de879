"""Training data: programme guides and their published versions, quizzes, assignments, completions.

A ``Guide`` is what the trainer is writing; publishing it freezes a ``GuideVersion`` (text,
rendered HTML and the quiz as it stood). Agents always read the current version; their
``Completion`` keeps the version they completed. A material change raises the guide's
``required_version``, so completions of older versions no longer count until re-acknowledged.

The weekly sales digest (``WeeklyDigest`` and its ``DigestItem`` rows) is built by
``training.digest`` from the week's outcomes and frozen: the figures and scripts agents read are
those of the week it describes.

The audience names sites by id only: the training side does not import the delivery side.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import ChannelKind
from campaigns.fields import ChannelKindsField
from campaigns.models import Campaign
from cvm_portal.roles import Role

from .choices import QuestionKind
from .validators import validate_guide_image

# The roles a guide may be assigned to: the people who work at sites, and the digital teams.
AUDIENCE_ROLES = [
    (Role.AGENT.value, Role.AGENT.label),
    (Role.TEAM_LEAD.value, Role.TEAM_LEAD.label),
    (Role.DIGITAL_TEAM.value, Role.DIGITAL_TEAM.label),
]
# The kinds without an agent: a digital team works on some of them.
DIGITAL_KINDS = [k.value for k in ChannelKind if k not in ChannelKind.assisted()]


class GuideQuerySet(models.QuerySet):
    def published(self) -> GuideQuerySet:
        return self.filter(current_version__isnull=False)


class Guide(models.Model):
    """A programme guide as its trainer writes it: Markdown text, audience, due period, quiz."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text (Markdown)"),
        max_length=100_000,
        help_text=_("Headings with #, lists with -, **bold**; images uploaded below."),
    )
    campaigns = models.ManyToManyField(
        Campaign, related_name="guides", verbose_name=_("campaigns"), blank=True
    )
    channel_kinds = ChannelKindsField(
        _("channel kinds"),
        blank=True,
        help_text=_("People working in these channels get the guide (none ticked: every channel)."),
    )
    site_ids = models.JSONField(
        _("sites"),
        default=list,
        blank=True,
        help_text=_(
            "Agents at these sites get the guide (none chosen: every site). "
            "Digital teams work at no site."
        ),
    )
    roles = models.JSONField(
        _("roles"),
        default=list,
        blank=True,
        help_text=_(
            "People holding these roles get the guide (none ticked: agents and leads; "
            "digital teams only when ticked)."
        ),
    )
    due_days = models.PositiveSmallIntegerField(
        _("due within (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Days an agent has from assignment to complete the guide."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("quiz attempts allowed"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_("0 = unlimited."),
    )
    current_version = models.ForeignKey(
        "GuideVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
        editable=False,
    )
    required_version = models.PositiveIntegerField(
        _("oldest version still counted"),
        default=0,
        editable=False,
        help_text=_("Completions of older versions must be re-acknowledged."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme guide")
        verbose_name_plural = _("programme guides")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1) & Q(pass_mark__lte=100),
                name="guide_pass_mark_1_100",
            ),
            models.CheckConstraint(condition=Q(due_days__gte=1), name="guide_due_days_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def audience_includes(
        self, *, roles: set, site_id: int | None, channel_kind: str, digital_kinds=()
    ) -> bool:
        """Whether a person with these roles, working at this site in this channel (or on a
        digital team working on ``digital_kinds``), gets the guide."""
        return audience_includes(
            channel_kinds=self.channel_kinds,
            site_ids=self.site_ids,
            roles=self.roles,
            person_roles=roles,
            site_id=site_id,
            channel_kind=channel_kind,
            digital_kinds=digital_kinds,
        )


SITE_ROLES = {Role.AGENT.value, Role.TEAM_LEAD.value}


def audience_includes(
    *, channel_kinds, site_ids, roles, person_roles: set, site_id, channel_kind, digital_kinds=()
) -> bool:
    """The audience rule, once: people at a site, in the listed kinds, sites and roles (empty =
    all; no role ticked = agents and leads); digital team members only when their role is
    ticked, working on a listed kind (sites do not limit them). API clients never."""
    held = {str(r) for r in person_roles}
    if Role.DIGITAL_CHANNEL.value in held:
        return False  # a service account of a web shop or gateway is not a person to train
    wanted = set(roles) or SITE_ROLES
    if (
        site_id is not None
        and held & wanted & SITE_ROLES
        and (not channel_kinds or channel_kind in channel_kinds)
        and (not site_ids or site_id in site_ids)
    ):
        return True
    return (
        Role.DIGITAL_TEAM.value in held & wanted
        and bool(digital_kinds)
        and (not channel_kinds or bool(set(channel_kinds) & set(digital_kinds)))
    )


class DigitalTeamProfile(models.Model):
    """A person on a digital channel team (product owner, content editor, conversation or IVR
    designer) and the digital kinds they work on; no site. Written by ``training.teams``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digital_team_profile",
        verbose_name=_("user"),
    )
    channel_kinds = ChannelKindsField(
        _("channel kinds"), help_text=_("The digital channels this person works on.")
    )

    class Meta:
        verbose_name = _("digital team member")
        verbose_name_plural = _("digital team members")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()


class GuideVersion(models.Model):
    """A published, frozen version of a guide: what agents read and the quiz they take."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("text (sanitised HTML)"))
    reading_minutes = models.PositiveSmallIntegerField(_("reading time (minutes)"))
    quiz = models.JSONField(_("quiz"), default=list, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    max_attempts = models.PositiveSmallIntegerField(_("quiz attempts allowed"))
    material = models.BooleanField(
        _("material change"),
        default=True,
        help_text=_("Everyone who completed an earlier version must re-acknowledge this one."),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="guide_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def has_quiz(self) -> bool:
        return bool(self.quiz)


class GuideImage(models.Model):
    """An image uploaded with a guide, referenced from its Markdown."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(
        _("image"), upload_to="training/%Y/%m/", validators=[validate_guide_image]
    )
    alt = models.CharField(_("description (for screen readers)"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("guide image")
        verbose_name_plural = _("guide images")
        ordering = ["guide", "uploaded_at"]

    def __str__(self) -> str:
        return self.alt

    @property
    def markdown(self) -> str:
        alt = self.alt.replace("[", "").replace("]", "")
        from django.urls import reverse

        return f"![{alt}]({reverse('training:image', args=[self.pk])})"


class Question(models.Model):
    """A quiz question of a guide (the draft; publishing copies it into the version)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["guide", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    """One answer to a quiz question, right or wrong."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("right answer"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question", "pk"]

    def __str__(self) -> str:
        return self.text


class Assignment(models.Model):
    """A guide given to one person, with the date it is due."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_assignments"
    )
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"))
    due_at = models.DateTimeField(_("due"))
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "user"], name="assignment_once_per_person")
        ]
        indexes = [models.Index(fields=["site_id", "due_at"], name="assignment_site_idx")]

    def __str__(self) -> str:
        return f"{self.guide_id} → {self.user_id}"


class CompletionQuerySet(models.QuerySet):
    def counting(self) -> CompletionQuerySet:
        """Completions that still count: complete, and of a version no older than required."""
        return self.filter(
            completed_at__isnull=False, version__number__gte=F("guide__required_version")
        )


class Completion(models.Model):
    """One person's progress on one version of a guide: acknowledged, quiz passed, completed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions"
    )
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="completions")
    version = models.ForeignKey(GuideVersion, on_delete=models.PROTECT, related_name="completions")
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    passed_at = models.DateTimeField(_("quiz passed"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("best score (%)"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="completion_once_per_version")
        ]
        indexes = [models.Index(fields=["user", "guide"], name="completion_user_guide_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.version}"


def counting_completion(user_id_ref, guide_ref) -> Exists:
    """An ``Exists`` that is true when the user has a completion of the guide that still counts."""
    return Exists(Completion.objects.counting().filter(user_id=user_id_ref, guide_id=guide_ref))


class QuizAttempt(models.Model):
    """One submitted quiz: the answers given, the score and whether it passed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(GuideVersion, on_delete=models.PROTECT, related_name="attempts")
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    answers = models.JSONField(_("answers given"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["user", "guide"], name="attempt_user_guide_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.version} {self.score}%"


class AttemptAnswer(models.Model):
    """Whether one question of an attempt was answered right (for the most-missed questions)."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="results")
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question_text = models.CharField(_("question"), max_length=500)
    correct = models.BooleanField(_("answered right"))

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        ordering = ["attempt", "pk"]

    def __str__(self) -> str:
        return f"{self.question_text[:40]} {'✓' if self.correct else '✗'}"


# The weekly digest's models live in their own module; they belong to this app.
from .digest_models import DigestItem, WeeklyDigest, WeeklyDigestQuerySet  # noqa: E402, F401
