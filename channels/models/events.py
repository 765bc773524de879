"""Digital events sent by API clients (impressions, clicks, dismissals, views, intents), which
presentations they showed, and the daily interest the results read.

On PostgreSQL the event table is partitioned by month of ``occurred_at`` (made by migration
``channels/0017_events``, kept by ``channels/events/partitions.py``); elsewhere it is one table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.channel_registry import channel_choices


class EventKind(models.TextChoices):
    """What a customer did with a digital channel."""

    IMPRESSION = "impression", _("Impression")
    CLICK = "click", _("Click")
    DISMISSAL = "dismissal", _("Dismissal")
    VIEW = "view", _("View")
    INTENT = "intent", _("Intent")


# Kinds that are about an offer: they name an offer code or a presentation id.
OFFER_EVENT_KINDS = (EventKind.IMPRESSION, EventKind.CLICK, EventKind.DISMISSAL)
# Kinds the customer's history lists as digital interest (a dismissal says "not this one").
INTEREST_KINDS = (EventKind.CLICK, EventKind.INTENT, EventKind.DISMISSAL)


class DigitalEvent(models.Model):
    """One event, stored once: an event is the same event when its client, its event id and its
    time are the same (the key PostgreSQL's partitioned unique index can hold). No foreign-key
    constraints: the table is a log, written by COPY and dropped month by month."""

    pk = models.CompositePrimaryKey("client_id", "event_id", "occurred_at")
    client = models.ForeignKey(
        "channels.ApiClient",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("API client"),
    )
    event_id = models.CharField(_("event id"), max_length=64)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"))
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    # The warehouse's customer id as sent: events of a customer not (yet) loaded are kept.
    customer_id = models.CharField(_("customer id"), max_length=64)
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    offer_code = models.CharField(_("offer code"), max_length=40, blank=True, default="")
    presentation_id = models.BigIntegerField(_("presentation"), null=True, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)

    class Meta:
        verbose_name = _("digital event")
        verbose_name_plural = _("digital events")
        indexes = [
            # The customer's history: their latest clicks, intents and dismissals.
            models.Index(
                fields=["customer_id", "-occurred_at"],
                name="event_interest_idx",
                condition=models.Q(kind__in=["click", "intent", "dismissal"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class SeenPresentation(models.Model):
    """A presentation a digital channel showed (its first impression) and, once clicked, when:
    a presentation counts as presented once, however many impressions it gets."""

    presentation = models.OneToOneField(
        "campaigns.Presentation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="seen",
        verbose_name=_("presentation"),
    )
    seen_at = models.DateTimeField(_("first seen"))
    clicked_at = models.DateTimeField(_("first clicked"), null=True, blank=True)

    class Meta:
        verbose_name = _("presentation seen")
        verbose_name_plural = _("presentations seen")

    def __str__(self) -> str:
        return f"{self.presentation_id} @ {self.seen_at:%Y-%m-%d %H:%M}"


class DailyInterest(models.Model):
    """Per day (in the portal's time zone), campaign, offer and channel kind: presentations seen
    for the first time and presentations clicked for the first time (interest)."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    offer = models.ForeignKey("campaigns.Offer", on_delete=models.CASCADE, related_name="+")
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    seen = models.PositiveIntegerField(_("presented (seen)"), default=0)
    clicked = models.PositiveIntegerField(_("interest (clicked)"), default=0)

    class Meta:
        verbose_name = _("daily digital interest")
        verbose_name_plural = _("daily digital interest")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "offer", "channel_kind"], name="daily_interest_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.campaign_id}/{self.offer_id} {self.channel_kind}"
