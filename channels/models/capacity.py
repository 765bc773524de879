"""Capacity plans: what each site can handle per channel kind and hour band, what digital
channels can take per second, and how many contacts each campaign is expected to bring."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns import channel_registry
from campaigns.channel_registry import channel_choices
from campaigns.choices import ChannelKind
from campaigns.models import Campaign
from channels.models.api import DIGITAL_KINDS
from channels.models.sites import ASSISTED_KINDS, KINDS_AT_SITE, Site


class HourBand(models.IntegerChoices):
    """The day's hour bands (by starting hour, site local time) that rosters are planned in."""

    MORNING = 8, "08–11"
    LATE_MORNING = 11, "11–14"
    AFTERNOON = 14, "14–17"
    EVENING = 17, "17–20"


BAND_HOURS = 3


class ContactType(models.TextChoices):
    """What an agent's time goes on; each has its own average handle time."""

    SERVICE = "service", _("Usual contact (no campaign)")
    CONVERSATION = "conversation", _("Offer conversation")
    UNANSWERED = "unanswered", _("Unanswered call attempt")


class HandleTimeSource(models.TextChoices):
    MEASURED = "measured", _("Measured from call attempts")
    CONFIGURED = "configured", _("Configured")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _pct(default: int, *, low: int = 1, high: int = 100):
    return {
        "default": default,
        "validators": [MinValueValidator(low), MaxValueValidator(high)],
    }


class CapacityPlan(models.Model):
    """What one site plans for one channel kind: targets, its usual load, and (in its rosters)
    how many agents work each hour band."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="capacity_plans", verbose_name=_("site")
    )
    channel_kind = models.CharField(
        _("channel kind"),
        max_length=20,
        choices=[(k.value, k.label) for k in ChannelKind.assisted()],
    )
    service_level_pct = models.PositiveSmallIntegerField(
        _("service level (%)"),
        help_text=_("Share of customers answered within the seconds below, e.g. 80."),
        **_pct(80),
    )
    service_level_seconds = models.PositiveSmallIntegerField(
        _("answered within (seconds)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
    )
    occupancy_target_pct = models.PositiveSmallIntegerField(
        _("occupancy target (%)"),
        help_text=_(
            "Outbound and field: the share of an agent's hour spent on contacts that the plan "
            "counts on (the rest is wrap-up, breaks, coaching)."
        ),
        **_pct(80),
    )
    max_occupancy_pct = models.PositiveSmallIntegerField(
        _("maximum occupancy (%)"),
        help_text=_("Stores and inbound: never plan agents busier than this, whatever the queue."),
        **_pct(90),
    )
    baseline_contacts_per_day = models.PositiveIntegerField(
        _("usual contacts per day"),
        default=0,
        help_text=_("Contacts the site handles on a day without any campaign."),
    )
    unanswered_per_conversation = models.DecimalField(
        _("unanswered attempts per conversation"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("Outbound and field: measured from call attempts when there are enough."),
    )

    class Meta:
        verbose_name = _("capacity plan")
        verbose_name_plural = _("capacity plans")
        ordering = ["site__name", "channel_kind"]
        constraints = [
            models.UniqueConstraint(fields=["site", "channel_kind"], name="capacity_plan_once"),
            models.CheckConstraint(
                condition=Q(channel_kind__in=ASSISTED_KINDS), name="capacity_plan_kind_assisted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.get_channel_kind_display()}"

    def clean(self) -> None:
        if (
            self.site_id
            and self.channel_kind
            and self.channel_kind not in KINDS_AT_SITE.get(self.site.kind, set())
        ):
            raise ValidationError(
                {
                    "channel_kind": _("A %(site_kind)s does not work in %(kind)s.")
                    % {
                        "site_kind": self.site.get_kind_display().lower(),
                        "kind": channel_registry.label(self.channel_kind),
                    }
                }
            )


class HandleTime(models.Model):
    """Average handle time of one contact type under a plan: measured or configured.

    A configured row is the manager's word and is never overwritten; a measured one is
    replaced each time the call attempts are measured again (``capacity.measuring``)."""

    plan = models.ForeignKey(
        CapacityPlan,
        on_delete=models.CASCADE,
        related_name="handle_times",
        verbose_name=_("capacity plan"),
    )
    contact_type = models.CharField(_("contact type"), max_length=20, choices=ContactType.choices)
    seconds = models.PositiveIntegerField(
        _("average handle time (s)"), validators=[MinValueValidator(1), MaxValueValidator(7200)]
    )
    source = models.CharField(
        _("source"),
        max_length=12,
        choices=HandleTimeSource.choices,
        default=HandleTimeSource.CONFIGURED,
    )
    sample_size = models.PositiveIntegerField(_("contacts measured"), default=0)
    measured_at = models.DateTimeField(_("measured"), null=True, blank=True)

    class Meta:
        verbose_name = _("handle time")
        verbose_name_plural = _("handle times")
        ordering = ["plan", "contact_type"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "contact_type"], name="handle_time_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_contact_type_display()} {self.seconds} s"


class RosterEntry(models.Model):
    """Agents working one hour band: every given weekday, or (an override) on one date."""

    plan = models.ForeignKey(
        CapacityPlan, on_delete=models.CASCADE, related_name="roster", verbose_name=_("plan")
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    day = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Set for a one-day override instead.")
    )
    hour_band = models.PositiveSmallIntegerField(_("hour band"), choices=HourBand.choices)
    agents = models.PositiveSmallIntegerField(_("agents"), validators=[MaxValueValidator(5000)])

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        ordering = ["plan", "day", "weekday", "hour_band"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__isnull=True, day__isnull=False)
                | Q(weekday__isnull=False, day__isnull=True),
                name="roster_weekday_or_date",
            ),
            models.UniqueConstraint(
                fields=["plan", "weekday", "hour_band"],
                condition=Q(day__isnull=True),
                name="roster_weekday_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "day", "hour_band"],
                condition=Q(day__isnull=False),
                name="roster_date_once",
            ),
        ]

    def __str__(self) -> str:
        when = self.day.isoformat() if self.day else self.get_weekday_display()
        return f"{self.plan} {when} {self.get_hour_band_display()}: {self.agents}"

    def clean(self) -> None:
        if (self.weekday is None) == (self.day is None):
            raise ValidationError(_("Give either a weekday or a date, not both or neither."))


class DigitalCapacity(models.Model):
    """How many decision requests per second a digital channel kind can take."""

    channel_kind = models.CharField(
        _("channel kind"),
        max_length=20,
        unique=True,
        choices=[(k, ChannelKind(k).label) for k in DIGITAL_KINDS],  # built-in: capacity
    )
    requests_per_second = models.PositiveIntegerField(
        _("capacity (requests per second)"), validators=[MinValueValidator(1)]
    )
    baseline_peak_rps = models.PositiveIntegerField(
        _("usual peak (requests per second)"),
        default=0,
        help_text=_("The busiest second of a day without any campaign."),
    )

    class Meta:
        verbose_name = _("digital channel capacity")
        verbose_name_plural = _("digital channel capacities")
        ordering = ["channel_kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel_kind__in=DIGITAL_KINDS), name="digital_capacity_kind_digital"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_kind_display()}: {self.requests_per_second}/s"


class ForecastSource(models.TextChoices):
    PAST_RESULTS = "past", _("Past campaigns' results")
    DEFAULT = "default", _("Portal default (no past results)")
    EDITED = "edited", _("Set by a CVM manager")


class CampaignForecast(models.Model):
    """The contacts one campaign is expected to bring to one channel kind over its period."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    contact_rate_pct = models.DecimalField(
        _("contacts per 100 members"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_(
            "Contacts in this channel kind over the whole period per 100 target-group members "
            "(responses, calls, visits or decision requests)."
        ),
    )
    contacts_per_day = models.PositiveIntegerField(
        _("contacts per day"),
        null=True,
        blank=True,
        help_text=_("Leave empty to derive it from the audience, the period and the rate."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ForecastSource.choices, default=ForecastSource.EDITED
    )
    basis = models.CharField(
        _("based on"),
        max_length=200,
        blank=True,
        help_text=_("Which past campaigns the rate comes from."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign forecast")
        verbose_name_plural = _("campaign forecasts")
        ordering = ["campaign", "channel_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel_kind"], name="campaign_forecast_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.get_channel_kind_display()}"
