"""Bonus plans that pay agents for the CVM programmes, the statements they earn, cancellations.

A *plan* covers the agents of one channel kind and/or some sites for a period (a month by
default): *rules* award an amount per accepted offer, *tiers* accelerate it above the target,
a cap limits it, quality gates withhold it, and a conversion cancelled within the clawback
window is taken back. A *statement* is one agent's earnings under one plan, line by line; it
is recomputed from recorded outcomes by ``channels.bonus`` until the period is closed, after
which it is frozen.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import ChannelKind, ProductFamily
from campaigns.models import Campaign, Offer, Response
from cvm_portal import formatting as fmt

from ..choices import LineKind, PlanUnit, StatementStatus
from .sites import profile_of

ZERO = Decimal("0")


class BonusPlanQuerySet(models.QuerySet):
    def covering(self, *, site_id: int, channel_kind: str) -> BonusPlanQuerySet:
        """Plans whose people include an agent of ``site_id`` working in ``channel_kind``."""
        return self.filter(Q(channel_kind="") | Q(channel_kind=channel_kind)).filter(
            Q(sites__isnull=True) | Q(sites=site_id)
        )

    def current(self, day) -> BonusPlanQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class BonusPlan(models.Model):
    """What agents of a channel kind and/or sites earn for accepted offers in one period."""

    name = models.CharField(_("name"), max_length=200)
    channel_kind = models.CharField(
        _("channel kind"),
        max_length=20,
        blank=True,
        choices=[(k.value, k.label) for k in ChannelKind.assisted()],
        help_text=_("Leave empty for agents of every channel kind."),
    )
    sites = models.ManyToManyField(
        "channels.Site",
        blank=True,
        related_name="bonus_plans",
        verbose_name=_("sites"),
        help_text=_("Leave empty for every site."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    unit = models.CharField(
        _("paid in"), max_length=10, choices=PlanUnit.choices, default=PlanUnit.MONEY
    )
    point_value = models.DecimalField(
        _("value of a point"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
        help_text=_("For plans paid in points: the money one point is worth on the payroll."),
    )
    target = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(0)],
        help_text=_("Earnings (before tiers) that make 100 %. Zero: no target, no tiers."),
    )
    cap = models.DecimalField(
        _("cap"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("At most this much per agent and period. Empty: no cap."),
    )
    clawback_days = models.PositiveSmallIntegerField(
        _("clawback window (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("A conversion cancelled within this many days of the sale is taken back."),
    )
    min_presentation_share = models.DecimalField(
        _("minimum share of contacts with an outcome (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Quality gate: of the contacts where offers were shown to the agent, at least this "
            "share must have an outcome recorded (presented, or a reason for not presenting). "
            "Below it, nothing is paid. Empty: no gate."
        ),
    )
    requires_training = models.BooleanField(
        _("campaign training must be passed"),
        default=False,
        help_text=_("Quality gate: conversions count only for campaigns whose training passed."),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BonusPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonus plan")
        verbose_name_plural = _("bonus plans")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="bonus_plan_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d})"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The plan must end on or after its first day (%(start)s).") % {
                "start": fmt.date(self.starts_on)
            }
        if self.pk and self.closed_at:
            errors["name"] = _("This plan's period is closed; its statements are frozen.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def unit_label(self) -> str:
        return settings.CVM_CURRENCY if self.unit == PlanUnit.MONEY else str(_("points"))

    def show_amount(self, amount: Decimal | None) -> str:
        """An amount of this plan as the reader writes it: money ("PLN 12.50") or points."""
        if amount is None:
            return ""
        return fmt.money(amount) if self.unit == PlanUnit.MONEY else fmt.points(amount)


class BonusRule(models.Model):
    """What one accepted offer earns: the most specific matching rule of the plan applies."""

    plan = models.ForeignKey(
        BonusPlan, on_delete=models.CASCADE, related_name="rules", verbose_name=_("plan")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
    )
    product_family = models.CharField(
        _("product category"), max_length=20, blank=True, choices=ProductFamily.choices
    )
    amount = models.DecimalField(
        _("per conversion"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(0)],
    )
    value_share = models.DecimalField(
        _("share of the offer's monthly value (%)"),
        max_digits=6,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_("Weights the award by the offer's value/margin: added to the fixed amount."),
    )

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return str(self.describe())

    def clean(self) -> None:
        if not self.amount and not self.value_share:
            raise ValidationError(
                {"amount": _("A rule must pay something: set an amount or a share of value.")}
            )
        if (
            self.offer_id
            and self.campaign_id
            and not self.campaign.offers.filter(pk=self.offer_id).exists()
        ):
            raise ValidationError({"offer": _("This offer is not one of the campaign's.")})

    @property
    def specificity(self) -> int:
        """Offer beats campaign beats product category beats a catch-all rule."""
        return (
            (8 if self.offer_id else 0)
            + (4 if self.campaign_id else 0)
            + (2 if self.product_family else 0)
        )

    def matches(self, *, campaign_id: int, offer_id: int, family: str) -> bool:
        return (
            (not self.campaign_id or self.campaign_id == campaign_id)
            and (not self.offer_id or self.offer_id == offer_id)
            and (not self.product_family or self.product_family == family)
        )

    def award(self, offer_value: Decimal) -> Decimal:
        """What one conversion of an offer worth ``offer_value`` a month earns under this rule."""
        return (self.amount + offer_value * self.value_share / 100).quantize(Decimal("0.01"))

    def describe(self) -> str:
        parts = []
        if self.offer_id:
            parts.append(str(_("offer %(code)s")) % {"code": self.offer.code})
        if self.campaign_id:
            parts.append(str(_("campaign %(code)s")) % {"code": self.campaign.code})
        if self.product_family:
            parts.append(str(self.get_product_family_display()))
        return " · ".join(parts) or str(_("any accepted offer"))


class BonusTier(models.Model):
    """Above ``threshold`` % of target, earnings count ``multiplier`` times (e.g. 1.5 above 100 %)."""

    plan = models.ForeignKey(
        BonusPlan, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("plan")
    )
    threshold = models.DecimalField(
        _("from (% of target)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    multiplier = models.DecimalField(
        _("multiplier"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Applies to the earnings above the threshold only."),
    )

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["plan", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "threshold"], name="bonus_tier_once"),
            models.CheckConstraint(condition=Q(multiplier__gte=1), name="bonus_tier_multiplier_1"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.threshold} % × {self.multiplier}"


class Cancellation(models.Model):
    """A conversion that was cancelled later (the customer withdrew, the order failed)."""

    response = models.OneToOneField(
        Response,
        on_delete=models.CASCADE,
        related_name="cancellation",
        verbose_name=_("outcome"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("cancellation")
        verbose_name_plural = _("cancellations")
        ordering = ["-cancelled_at"]

    def __str__(self) -> str:
        return f"{self.response_id} {self.cancelled_at:%Y-%m-%d}"


class BonusStatementQuerySet(models.QuerySet):
    def visible_to(self, user) -> BonusStatementQuerySet:
        """The one place that decides whose statements a user may see."""
        from cvm_portal.roles import Role, roles_of

        held = roles_of(user)
        if held & {Role.CVM_MANAGER, Role.ADMINISTRATOR}:
            return self.all()
        profile = profile_of(user)
        if Role.TEAM_LEAD in held and profile is not None:
            return self.filter(site_id=profile.site_id)
        if Role.AGENT in held:
            return self.filter(agent=user)
        return self.none()


class BonusStatement(models.Model):
    """One agent's earnings under one plan; frozen (never rewritten) once the period is closed."""

    plan = models.ForeignKey(
        BonusPlan, on_delete=models.PROTECT, related_name="statements", verbose_name=_("plan")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bonus_statements",
        verbose_name=_("agent"),
    )
    site = models.ForeignKey(
        "channels.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StatementStatus.choices,
        default=StatementStatus.OPEN,
    )
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    earned = models.DecimalField(
        _("earned before tiers"), max_digits=12, decimal_places=2, default=ZERO
    )
    attainment = models.DecimalField(
        _("% of target"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    tier_multiplier = models.DecimalField(
        _("current tier"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    contacts = models.PositiveIntegerField(_("contacts with offers"), default=0)
    contacts_with_outcome = models.PositiveIntegerField(_("contacts with an outcome"), default=0)
    gate_met = models.BooleanField(_("quality gate met"), default=True)
    pending = models.DecimalField(
        _("pending (in the clawback window)"), max_digits=12, decimal_places=2, default=ZERO
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=ZERO)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    objects = BonusStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonus statement")
        verbose_name_plural = _("bonus statements")
        ordering = ["plan", "-total"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agent"], name="bonus_statement_once"),
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values), name="bonus_statement_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["agent", "status"], name="bonus_statement_agent_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.agent_id} {self.total}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and not kwargs.pop("freezing", False):
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == StatementStatus.FROZEN:
                raise ValidationError(_("This statement is frozen: its period was closed."))
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status == StatementStatus.FROZEN

    @property
    def payout(self) -> Decimal:
        """What payroll pays, in money (points × the value of a point)."""
        if self.plan.unit == PlanUnit.POINTS:
            return (self.total * self.plan.point_value).quantize(Decimal("0.01"))
        return self.total


class BonusLine(models.Model):
    """One line of a statement: which outcome, which rule, how much (negative for take-backs)."""

    statement = models.ForeignKey(
        BonusStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    response = models.ForeignKey(
        Response,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome"),
    )
    rule = models.ForeignKey(
        BonusRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule"),
    )
    # What the line says, as a code with JSON parameters worded when read
    # (channels/bonus/messages.py); ``description`` below is that text in the reader's language.
    description_code = models.CharField(_("description code"), max_length=40)
    description_params = models.JSONField(_("description parameters"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    pending = models.BooleanField(_("pending"), default=False)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LineKind.values), name="bonus_line_kind"),
        ]
        indexes = [models.Index(fields=["response", "kind"], name="bonus_line_response_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"

    @property
    def description(self) -> str:
        """The line's text in the reader's language."""
        from channels.bonus.messages import render  # the bonus package imports the models

        return render(self.description_code, self.description_params)

    description.fget.short_description = _("description")
