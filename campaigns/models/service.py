"""Service contacts (why customers contact us, where, and whether it was solved) and the
support-routing policy (which support options each segment is offered): the data of the channel
optimisation report and of ``GET /api/v1/support-options/`` (``campaigns.optimisation``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import Segment, ValueTier

from .core import Customer
from .targeting import LoadRun


class ServiceContact(models.Model):
    """One service contact of a customer, as the nightly ``contacts__YYYYMMDD`` file states it:
    the channel it came through (a channel code), its reason, its day, whether it was resolved
    at the first contact and whether the customer served themselves (no agent)."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="service_contacts",
        verbose_name=_("customer"),
        db_index=False,  # the (customer, day) index serves
    )
    channel_kind = models.CharField(_("channel"), max_length=20)
    reason = models.CharField(_("contact reason"), max_length=100)
    contacted_on = models.DateField(_("date"))
    resolved_first_contact = models.BooleanField(_("resolved at first contact"))
    self_service = models.BooleanField(_("handled by self-service"))
    load_run = models.ForeignKey(
        LoadRun,
        on_delete=models.CASCADE,
        related_name="service_contacts",
        verbose_name=_("load run"),
    )

    class Meta:
        verbose_name = _("service contact")
        verbose_name_plural = _("service contacts")
        ordering = ["-contacted_on"]
        indexes = [
            # The report: a period's contacts by channel (joined to the customers' segments).
            models.Index(
                fields=["contacted_on", "channel_kind"], name="service_contact_day_channel"
            ),
            models.Index(fields=["customer", "contacted_on"], name="service_contact_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel_kind} {self.contacted_on}"


class SupportOption(models.TextChoices):
    """A way of supporting a customer that a channel (IVR, app, web site) may offer them."""

    AGENT = "agent", _("Direct line to an agent")
    CALL_BACK = "call_back", _("Call-back")
    CHAT = "chat", _("Chat")
    SELF_SERVICE = "self_service", _("Self-service only")


class SupportRoutingPolicyQuerySet(models.QuerySet):
    def active(self) -> SupportRoutingPolicy | None:
        return self.filter(is_active=True).first()


class SupportRoutingPolicy(models.Model):
    """A dated version of the support-routing policy: its rules say which support options each
    segment and value tier is offered. Exactly one version is active; saving a new one (from
    the what-if, ``campaigns.optimisation.policy``) retires the one before, which stays for the
    record."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Why this version: the scenario it came from.")
    )
    scenario = models.JSONField(
        _("scenario"),
        default=dict,
        blank=True,
        help_text=_("The what-if this version was saved from, with its figures."),
    )
    is_active = models.BooleanField(_("active"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    objects = SupportRoutingPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("support-routing policy")
        verbose_name_plural = _("support-routing policies")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="support_policy_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"


def _options_valid(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one support option."))
    unknown = [v for v in value if v not in SupportOption.values]
    if unknown:
        raise ValidationError(
            _("Unknown support option(s): %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        )
    if SupportOption.SELF_SERVICE in value and len(value) > 1:
        raise ValidationError(_("“Self-service only” cannot be combined with other options."))


class SupportRoutingRule(models.Model):
    """Which support options customers of a segment (and value tier, or every tier) are offered;
    a rule with a preferred channel is an exception for the customers who prefer it, and wins
    over the rule without one."""

    policy = models.ForeignKey(
        SupportRoutingPolicy,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("policy"),
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    value_tier = models.CharField(
        _("value tier"),
        max_length=10,
        choices=ValueTier.choices,
        blank=True,
        help_text=_("Empty: every tier of the segment without a rule of its own."),
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=20,
        blank=True,
        help_text=_("An exception for customers who prefer this channel; empty: everyone."),
    )
    options = models.JSONField(_("support options"), default=list, validators=[_options_valid])

    class Meta:
        verbose_name = _("support-routing rule")
        verbose_name_plural = _("support-routing rules")
        ordering = ["policy", "segment", "value_tier", "preferred_channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "segment", "value_tier", "preferred_channel"],
                name="support_rule_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.segment}/{self.value_tier or '*'}/{self.preferred_channel or '*'}"

    def option_labels(self) -> list[str]:
        return [str(SupportOption(o).label) for o in self.options if o in SupportOption.values]
