"""The kill switch's record (what was stopped, why, by whom, and its resumption), the contacts
agents tag as "calling about campaign X", and the flood alerts raised from those tags."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..channel_registry import channel_choices
from .core import Campaign, Customer, Offer, Product


class StopScope(models.TextChoices):
    """What one use of the kill switch named: a campaign, or every live campaign of an offer or
    of a product (the "error in the text" case)."""

    CAMPAIGN = "campaign", _("Campaign")
    OFFER = "offer", _("Every campaign of an offer")
    PRODUCT = "product", _("Every campaign of a product")


class CampaignStop(models.Model):
    """One use of the kill switch: the live campaigns it paused at once in every channel, why,
    by whom, how many waiting call-list leads it withdrew; and when it was undone."""

    scope = models.CharField(_("stopped"), max_length=10, choices=StopScope.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign named"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer named"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product named"),
    )
    campaigns = models.ManyToManyField(
        Campaign, related_name="stops", verbose_name=_("campaigns paused"), blank=True
    )
    reason = models.TextField(_("reason"), max_length=500)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("stopped by"),
    )
    stopped_at = models.DateTimeField(_("stopped at"), default=timezone.now)
    withdrawn_leads = models.PositiveIntegerField(_("call-list leads withdrawn"), default=0)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resumed by"),
    )
    # Indexed: the newest resumption is part of the stop generation every process compares.
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("kill-switch stop")
        verbose_name_plural = _("kill-switch stops")
        ordering = ["-stopped_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=StopScope.values), name="campaign_stop_scope_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope=StopScope.CAMPAIGN, campaign__isnull=False)
                    | Q(scope=StopScope.OFFER, offer__isnull=False)
                    | Q(scope=StopScope.PRODUCT, product__isnull=False)
                ),
                name="campaign_stop_names_its_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.target}"

    @property
    def target(self):
        """The campaign, offer or product the stop named."""
        return {
            StopScope.CAMPAIGN: self.campaign,
            StopScope.OFFER: self.offer,
            StopScope.PRODUCT: self.product,
        }[self.scope]

    @property
    def is_open(self) -> bool:
        return self.resumed_at is None


class CampaignInquiry(models.Model):
    """A contact an agent tagged, in one click, as "calling about campaign X": the raw count
    the flood alerts compare with the campaign's forecast and its own baseline."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="inquiries", verbose_name=_("campaign")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    # The site as an id only: the CVM side does not import the delivery side (channels.Site).
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    # The form's one-time key: a double click or a resent request tags the contact once.
    key = models.CharField(_("request key"), max_length=32)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign inquiry")
        verbose_name_plural = _("campaign inquiries")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "key"], name="campaign_inquiry_once"),
        ]
        indexes = [models.Index(fields=["campaign", "at"], name="campaign_inquiry_hour_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.at:%Y-%m-%d %H:%M}"


class FloodBasis(models.TextChoices):
    FORECAST = "forecast", _("the campaign's forecast")
    BASELINE = "baseline", _("its usual level (baseline × multiplier)")


class FloodAlert(models.Model):
    """Contacts about a campaign in an hour above what was expected: shown to CVM managers with
    a link to the kill switch, until one of them acknowledges it. One per campaign per hour."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="flood_alerts", verbose_name=_("campaign")
    )
    hour = models.DateTimeField(_("hour"), help_text=_("The clock hour the alert was raised in."))
    count = models.PositiveIntegerField(_("contacts in the last hour"))
    expected = models.FloatField(_("expected at most"))
    basis = models.CharField(_("compared with"), max_length=10, choices=FloodBasis.choices)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    emailed_to = models.PositiveSmallIntegerField(_("managers e-mailed"), default=0)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flood alert")
        verbose_name_plural = _("flood alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "hour"], name="flood_alert_once_an_hour"),
            models.CheckConstraint(
                condition=Q(basis__in=FloodBasis.values), name="flood_alert_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.hour:%Y-%m-%d %H:00}: {self.count}"
