"""What one contact costs in each channel, with the date each price took effect: the
cost-to-serve figures of the channel optimisation report and its what-if."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ChannelCost(models.Model):
    """One price of one channel of the registry, from a date on (edited on the channel's admin
    page). ``channel_kind`` holds the channel's code, as every other table does."""

    channel_kind = models.ForeignKey(
        "campaigns.Channel",
        on_delete=models.PROTECT,  # a channel with prices is deactivated, not deleted
        db_column="channel_kind",
        related_name="costs",
        verbose_name=_("channel"),
    )
    cost_per_contact = models.DecimalField(
        _("cost per contact"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_(
            "In the portal's currency, everything a contact costs (staff, telephony, fees)."
        ),
    )
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("channel cost")
        verbose_name_plural = _("channel costs")
        ordering = ["channel_kind_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_kind", "effective_from"], name="channel_cost_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(cost_per_contact__gte=0), name="channel_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_kind_id} {self.cost_per_contact} ({self.effective_from})"
