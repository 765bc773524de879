"""Outbound call lists: settings per campaign, shares per site, lists, leads and attempts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import OUTBOUND_CHANNEL_KINDS
from campaigns.models import Campaign, Customer, Decision, Offer
from channels.choices import Disposition, LeadState, SiteKind
from channels.models.sites import Site
from cvm_portal import formatting as fmt

OUTBOUND_SITE_KINDS = (SiteKind.OUTBOUND_CENTRE, SiteKind.AGENCY)
# The name of the index that lets an agent hold one lead at a time (the claim reads it in the
# error a second claim of the same agent meets).
ONE_LEAD_PER_AGENT = "lead_one_per_agent"


class OutboundSettings(models.Model):
    """How a campaign is worked by phone: retry delays and the attempt limit."""

    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.CASCADE,
        related_name="outbound_settings",
        verbose_name=_("campaign"),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts per lead"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Unanswered calls (no answer, busy, voicemail) before the lead is closed."),
    )
    no_answer_retry_minutes = models.PositiveIntegerField(
        _("retry after no answer or voicemail (minutes)"),
        default=180,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
    )
    busy_retry_minutes = models.PositiveIntegerField(
        _("retry after busy (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
    )

    class Meta:
        verbose_name = _("outbound settings")
        verbose_name_plural = _("outbound settings")

    def __str__(self) -> str:
        return str(self.campaign.code)

    @classmethod
    def for_campaign(cls, campaign_id: int) -> OutboundSettings:
        """The campaign's settings, or the defaults when a CVM manager has set none."""
        found = cls.objects.filter(campaign_id=campaign_id).first()
        return found or cls(campaign_id=campaign_id)


class OutboundShare(models.Model):
    """One site's share of a campaign's daily call list, and what an agency earns from it."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="outbound_shares",
        verbose_name=_("campaign"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="outbound_shares", verbose_name=_("site")
    )
    share = models.PositiveSmallIntegerField(
        _("share of the list (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The shares of a campaign's sites add up to 100."),
    )
    rate_per_conversion = models.DecimalField(
        _("rate per conversion"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("What an outsourced agency is paid for each accepted offer."),
    )
    rate_per_reached = models.DecimalField(
        _("rate per reached contact"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("Optional: what an agency is paid for each customer reached."),
    )

    class Meta:
        verbose_name = _("outbound share")
        verbose_name_plural = _("outbound shares")
        ordering = ["campaign", "-share", "site"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "site"], name="outbound_share_once"),
            models.CheckConstraint(
                condition=Q(share__gte=1) & Q(share__lte=100), name="outbound_share_1_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.site} {self.share} %"

    def clean(self) -> None:
        errors = {}
        if self.site_id and self.site.kind not in OUTBOUND_SITE_KINDS:
            errors["site"] = _("Only outbound call centres and agencies work call lists.")
        if self.campaign_id and not any(
            k in self.campaign.channel_kinds for k in OUTBOUND_CHANNEL_KINDS
        ):
            errors["campaign"] = _(
                "This campaign does not run in outbound calls or field; tick one of them first."
            )
        if (
            self.site_id
            and self.site.kind != SiteKind.AGENCY
            and (self.rate_per_conversion or self.rate_per_reached)
        ):
            errors["rate_per_conversion"] = _("Only outsourced agencies are paid per result.")
        if self.campaign_id and self.share:
            others = OutboundShare.objects.filter(campaign_id=self.campaign_id).exclude(pk=self.pk)
            total = sum(others.values_list("share", flat=True)) + self.share
            if total > 100:
                errors["share"] = _(
                    "The shares of this campaign would add up to %(total)s; at most %(most)s."
                ) % {"total": fmt.percent_points(total), "most": fmt.percent_points(100)}
        if errors:
            raise ValidationError(errors)


class CallListQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallListQuerySet:
        """The one place that decides whose call lists a user may see."""
        return self.filter(site__in=Site.objects.visible_to(user))


class CallList(models.Model):
    """One day's leads of one campaign for one site, best first."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="call_lists", verbose_name=_("campaign")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="call_lists", verbose_name=_("site")
    )
    day = models.DateField(_("day"))
    size = models.PositiveIntegerField(_("leads"), default=0)
    built_at = models.DateTimeField(_("built"), auto_now_add=True)
    built_by = models.CharField(_("built by"), max_length=100)

    objects = CallListQuerySet.as_manager()

    class Meta:
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        ordering = ["-day", "site", "campaign"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "site", "day"], name="call_list_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.site_id} {self.day}"


class Lead(models.Model):
    """A customer on a call list: waiting, with an agent, done or skipped, with its attempts."""

    # No index of their own for call_list, customer and assigned_to: the indexes below start
    # with each of them, and every claim updates every index of this table (fewer is faster).
    call_list = models.ForeignKey(
        CallList,
        on_delete=models.CASCADE,
        related_name="leads",
        verbose_name=_("call list"),
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
        db_index=False,
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested offer"),
    )
    score = models.FloatField(_("score"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=LeadState.choices, default=LeadState.WAITING
    )
    due_at = models.DateTimeField(_("due"), help_text=_("Not handed out before this moment."))
    is_callback = models.BooleanField(_("callback"), default=False)
    callback_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("callback for agent"),
        help_text=_("A personal callback goes only to this agent."),
    )
    attempts = models.PositiveSmallIntegerField(_("unanswered attempts"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
        db_index=False,
    )
    assigned_at = models.DateTimeField(_("handed out"), null=True, blank=True)
    disposition = models.CharField(
        _("last disposition"), max_length=20, choices=Disposition.choices, blank=True
    )
    skip_code = models.CharField(_("skipped by"), max_length=30, blank=True)
    skip_reason = models.CharField(_("why skipped"), max_length=300, blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offers shown"),
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["call_list", "-score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=LeadState.values), name="lead_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=LeadState.ASSIGNED) | Q(assigned_to__isnull=False),
                name="lead_assigned_has_agent",
            ),
            models.UniqueConstraint(
                fields=["call_list", "customer"], name="lead_customer_once_per_list"
            ),
            # One agent, one lead: two presses of "next customer" racing each other cannot
            # both hand out a lead (channels.outbound.claims).
            models.UniqueConstraint(
                fields=["assigned_to"],
                condition=Q(state="assigned"),
                name=ONE_LEAD_PER_AGENT,
            ),
        ]
        indexes = [
            # "Next customer": waiting leads of a list, callbacks first, best score first.
            models.Index(
                "call_list",
                models.F("is_callback").desc(),
                models.F("score").desc(),
                "id",
                condition=Q(state="waiting"),
                name="lead_next_idx",
            ),
            models.Index(fields=["assigned_to", "state"], name="lead_agent_idx"),
            models.Index(fields=["customer", "state"], name="lead_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"lead {self.pk} ({self.get_state_display()})"


class CallAttempt(models.Model):
    """One call to a lead and its disposition."""

    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="call_attempts", verbose_name=_("lead")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    callback_personal = models.BooleanField(_("personal callback"), default=False)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disposition__in=Disposition.values),
                name="call_attempt_disposition_valid",
            ),
            models.CheckConstraint(
                condition=~Q(disposition=Disposition.CALLBACK) | Q(callback_at__isnull=False),
                name="call_attempt_callback_has_time",
            ),
        ]
        indexes = [models.Index(fields=["agent", "at"], name="call_attempt_agent_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.disposition}"
