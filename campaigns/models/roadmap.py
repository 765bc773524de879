"""The roadmap: CVM initiatives (programmes) and what each channel team builds for them.

Channel codes are plain strings (``campaigns.roadmap.kinds`` says which exist and how they
read), so a channel added later needs no migration here.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..roadmap.kinds import channels
from .core import Campaign


class RoadmapStatus(models.TextChoices):
    """Where a channel team's piece of work stands."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")


class Initiative(models.Model):
    """A CVM programme that spans campaigns and needs work in several channels."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    goal = models.TextField(_("goal"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="owned_initiatives",
        verbose_name=_("owner"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    campaigns = models.ManyToManyField(
        Campaign,
        related_name="initiatives",
        verbose_name=_("campaigns it serves"),
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="initiative_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The initiative must end on or after its start.")})


class RoadmapItemQuerySet(models.QuerySet):
    def open(self) -> RoadmapItemQuerySet:
        """Items whose work is not done."""
        return self.exclude(status=RoadmapStatus.DONE)

    def overdue(self, today: date) -> RoadmapItemQuerySet:
        """Open items whose target date has passed."""
        return self.open().filter(target_date__lt=today)

    def pending_for(self, campaign: Campaign) -> RoadmapItemQuerySet:
        """Open items of the initiatives ``campaign`` serves, in the channels it runs in."""
        return (
            self.open()
            .filter(initiative__campaigns=campaign, channel_kind__in=campaign.channel_kinds)
            .select_related("initiative")
            .distinct()
            .order_by("initiative__name", "channel_kind", "pk")
        )


class RoadmapItem(models.Model):
    """What one channel team must build or change for one initiative, and where it stands."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="items", verbose_name=_("initiative")
    )
    # A channel code (``campaigns.roadmap.kinds``), not a fixed choice: channels become data.
    channel_kind = models.CharField(_("channel"), max_length=40)
    work = models.TextField(
        _("work"), help_text=_("What the channel team must build or change for the initiative.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RoadmapStatus.choices, default=RoadmapStatus.PLANNED
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RoadmapItemQuerySet.as_manager()
    history = HistoricalRecords()  # who moved the status or the date, and when

    class Meta:
        verbose_name = _("roadmap item")
        verbose_name_plural = _("roadmap items")
        ordering = ["initiative", "channel_kind", "pk"]
        indexes = [models.Index(fields=["channel_kind", "status"], name="roadmap_kind_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoadmapStatus.values), name="roadmap_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} · {self.channel_kind}"

    def clean(self) -> None:
        if self.channel_kind and self.channel_kind not in dict(channels()):
            raise ValidationError({"channel_kind": _("Choose one of the channels.")})

    def is_overdue(self, today: date) -> bool:
        return (
            self.status != RoadmapStatus.DONE
            and self.target_date is not None
            and self.target_date < today
        )
