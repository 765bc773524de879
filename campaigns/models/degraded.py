"""How many decisions came back degraded (past their time budget), per day and channel kind."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..channel_registry import channel_choices


class DegradedDecisions(models.Model):
    """Per day and channel kind, how many API decisions ran out of their time budget and were
    answered with the fallback (``degraded: true``): for CVM and operations to follow (admin,
    ``docs/api.md``). Counted in the database, so that it holds without Redis."""

    day = models.DateField(_("day"))
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    count = models.PositiveIntegerField(_("degraded decisions"), default=0)

    class Meta:
        verbose_name = _("degraded decisions")
        verbose_name_plural = _("degraded decisions")
        ordering = ["-day", "channel_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_kind"], name="degraded_one_per_day_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel_kind}: {self.count}"
