"""Target groups, their versions and members, and the nightly loads that fill them.

A target group's members arrive in *versions*: each load writes a complete new
version, and one transaction makes it the active one. Readers always ask for
the members of ``TargetGroup.active_version`` and so see either the previous
complete version or the new complete version, never a mixture.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..choices import LoadKind, LoadStatus, RejectReason
from ..control import is_control
from ..loads.files import MAX_EXTRA_COLUMNS
from .core import Campaign, Customer, Offer


class TargetGroup(models.Model):
    """The customers one campaign addresses, as the data warehouse last delivered them."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="target_group", verbose_name=_("campaign")
    )
    active_version = models.ForeignKey(
        "TargetGroupVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("active version"),
    )
    reject_threshold = models.DecimalField(
        _("reject threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("If more rows than this are rejected, the new version is not activated."),
    )

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["campaign__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reject_threshold__gte=0) & Q(reject_threshold__lte=100),
                name="target_group_threshold_0_100",
            )
        ]

    def __str__(self) -> str:
        return str(self.campaign.code)


class TargetGroupVersion(models.Model):
    """One complete delivery of a target group's members."""

    target_group = models.ForeignKey(
        TargetGroup,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("target group"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    retired_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    control_count = models.PositiveIntegerField(_("in control group"), default=0)
    # Who is in the control group follows from these two, frozen when the version is loaded:
    # a later change of the campaign's share or code never moves a member of this version.
    control_code = models.CharField(_("campaign code for the control group"), max_length=40)
    control_share = models.DecimalField(
        _("control-group share (%)"), max_digits=5, decimal_places=2, default=0
    )
    attribute_names = models.JSONField(
        _("extra columns"),
        default=list,
        blank=True,
        help_text=_("The file's extra columns, in the order the members' attributes hold them."),
    )

    class Meta:
        verbose_name = _("target-group version")
        verbose_name_plural = _("target-group versions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target_group} v{self.pk}"

    def in_control(self, customer_external_id: str) -> bool:
        """Whether the customer is in this version's control group (see campaigns.control)."""
        return is_control(customer_external_id, self.control_code, self.control_share)


class TargetGroupMember(models.Model):
    """A customer in one version of a target group, with what the warehouse says about them.

    Members are keyed the way the warehouse file names them: by the customer's external id
    and the offer's code (foreign keys to those unique fields). On PostgreSQL a load can
    then ``COPY`` the file straight into the version's own table (see ``loading_pg``); the
    loader checks that customer and offer exist, so the columns carry no foreign-key
    constraints (a check per row would halve load speed). The table is partitioned by
    version on PostgreSQL (migrations 0004 and 0013): a load fills a new partition, builds
    its primary key, and attaches it.
    """

    # Customer first: sorting text keys (with the binary "C" collation on PostgreSQL) is what
    # building the primary key of a new version costs; the version is the same in every row.
    pk = models.CompositePrimaryKey("customer_id", "version_id")
    version = models.ForeignKey(
        TargetGroupVersion,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the partition (PostgreSQL) or tgmember_version_idx (SQLite) serves
        related_name="members",
    )
    customer = models.ForeignKey(
        Customer,
        to_field="external_id",
        db_column="customer_external_id",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the primary key (customer, version) serves
        related_name="target_memberships",
    )
    offer = models.ForeignKey(
        Offer,
        to_field="code",
        db_column="offer_code",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    propensity = models.FloatField(_("propensity"), null=True)
    expected_value = models.DecimalField(
        _("expected value"), max_digits=12, decimal_places=2, null=True
    )
    rank = models.IntegerField(_("rank"), null=True)
    # No value (NULL) when the file gives none, so a file without the column writes nothing
    # for it; at most 200 characters, cleaned by the load (campaigns.loads.rules.clean_reason).
    reason = models.TextField(
        _("reason"),
        null=True,
        blank=True,
        help_text=_("Why the warehouse chose this customer, shown to agents under “Why”."),
    )
    # attribute_1 … attribute_10 (added below): the file's extra columns, in the order
    # TargetGroupVersion.attribute_names names them.

    class Meta:
        verbose_name = _("target-group member")
        verbose_name_plural = _("target-group members")
        indexes = [models.Index(fields=["version"], name="tgmember_version_idx")]

    def __str__(self) -> str:
        return f"customer {self.customer_id} in version {self.version_id}"

    @property
    def is_control(self) -> bool:
        """In the control group: recorded, never shown an offer. Computed, not stored, so a
        load writes nothing per row for it."""
        return self.version.in_control(self.customer_id)

    @property
    def attributes(self) -> dict[str, str | None]:
        """The extra columns of the member's line, by the names the file gave them."""
        names = self.version.attribute_names or []
        return {name: getattr(self, attribute_column(i)) for i, name in enumerate(names)}


def attribute_column(index: int) -> str:
    """The member column that holds a file's extra column number ``index`` (from 0)."""
    return f"attribute_{index + 1}"


for _index in range(MAX_EXTRA_COLUMNS):
    TargetGroupMember.add_to_class(
        attribute_column(_index),
        models.TextField(format_lazy("{} {}", _("extra attribute"), _index + 1), null=True),
    )


class LoadRun(models.Model):
    """One attempt to load one warehouse file: what, who started it, how far, how it ended."""

    kind = models.CharField(_("kind"), max_length=20, choices=LoadKind.choices)
    target_group = models.ForeignKey(
        TargetGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="load_runs",
        verbose_name=_("target group"),
    )
    target = models.CharField(
        _("target"),
        max_length=40,
        help_text=_("The campaign code, or “customers” for the snapshot."),
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_date = models.DateField(_("file date"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LoadStatus.choices, default=LoadStatus.PENDING
    )
    rows_total = models.PositiveBigIntegerField(_("rows in file"), null=True, blank=True)
    rows_done = models.PositiveBigIntegerField(_("rows read"), default=0)
    rows_loaded = models.PositiveBigIntegerField(_("rows loaded"), default=0)
    rows_rejected = models.PositiveBigIntegerField(_("rows rejected"), default=0)
    version = models.OneToOneField(
        TargetGroupVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="load_run",
    )
    started_by = models.CharField(
        _("started by"), max_length=100, help_text=_("schedule, command or a user")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    queued_at = models.DateTimeField(
        _("queued"),
        null=True,
        blank=True,
        help_text=_("When its task was last handed to the task queue; empty: not handed over."),
    )
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_(
            "Written by the running load every few seconds, and set ahead to when a waiting "
            "task is due again; a run silent for long is retaken."
        ),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Why it failed (or a notice on success), as a code with JSON parameters worded when read:
    # campaigns/loads/messages.py. ``error`` below is that text in the reader's language.
    error_code = models.CharField(_("reason code"), max_length=60, blank=True)
    error_params = models.JSONField(_("reason parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("load run")
        verbose_name_plural = _("load runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LoadKind.values), name="load_run_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LoadStatus.values), name="load_run_status_valid"
            ),
            # The same file is never applied twice: at most one successful run per content.
            models.UniqueConstraint(
                fields=["kind", "target", "sha256"],
                condition=Q(status=LoadStatus.SUCCEEDED),
                name="load_run_file_applied_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="load_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def error(self) -> str:
        """The reason for failure (or notice), worded in the reader's language."""
        from campaigns.loads.messages import render  # the loads package imports the models

        return render(self.error_code, self.error_params) if self.error_code else ""

    error.fget.short_description = _("reason for failure")

    def set_error(self, code: str, /, **params) -> None:
        """Record a reason as a code of campaigns/loads/messages.py ("" clears it); not saved."""
        self.error_code, self.error_params = code, params

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def rows_per_second(self) -> float | None:
        seconds = self.duration_seconds
        if seconds:
            return self.rows_done / seconds
        return None

    @property
    def progress_percent(self) -> int | None:
        if self.rows_total:
            return min(100, round(100 * self.rows_done / self.rows_total))
        return None


class LoadReject(models.Model):
    """A row of a warehouse file that was not loaded, with its line and a reason a person understands."""

    run = models.ForeignKey(LoadRun, on_delete=models.CASCADE, related_name="rejects")
    line = models.PositiveBigIntegerField(_("line"))
    reason = models.CharField(_("reason"), max_length=30, choices=RejectReason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    raw = models.TextField(_("row as read"), blank=True)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["run", "line"]
        indexes = [models.Index(fields=["run", "line"], name="load_reject_run_line_idx")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.get_reason_display()}"
