"""What a customer says they came for, as a digital channel's decision request states it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import ObjectivesField, ProductFamiliesField
from .core import Campaign


class Intent(models.Model):
    """A stated intent ("cancel", "complaint", "roaming"…) a decision request's context may carry.

    CVM managers keep the list: the API accepts only the active codes, and an intent can rule
    offers out (by the campaign's objective, the product's family, or named campaigns) — a
    customer who says "cancel" is offered no upsell. Always-on rules may require an intent
    (``EligibilityRule.intents``). Read through the catalogue (``campaigns.context``)."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("What the channels send (e.g. “cancel”); changing it breaks their requests."),
    )
    name = models.CharField(_("name"), max_length=100)
    excluded_objectives = ObjectivesField(
        _("no offers of campaigns with these objectives"),
        blank=True,
        help_text=_("E.g. upsell and cross-sell for a customer who wants to cancel."),
    )
    excluded_families = ProductFamiliesField(_("no offers of these product families"), blank=True)
    excluded_campaigns = models.ManyToManyField(
        Campaign, blank=True, related_name="+", verbose_name=_("no offers of these campaigns")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Channels may send only active intents.")
    )

    class Meta:
        verbose_name = _("stated intent")
        verbose_name_plural = _("stated intents")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
