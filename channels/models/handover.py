"""Chatbot hand-overs: a conversation a bot passes to an inbound agent, and what came of it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import ChannelKind
from campaigns.models import Customer
from cvm_portal.roles import Role, roles_of

from .api import ApiClient
from .sites import profile_of


class HandoverStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    TAKEN = "taken", _("Taken")
    CLOSED = "closed", _("Closed")


class HandoverOutcome(models.TextChoices):
    """What the agent reports back to the bot when they close a hand-over."""

    RESOLVED = "resolved", _("Resolved")
    OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")
    OFFER_DECLINED = "offer_declined", _("Offer declined")
    CALLBACK_ARRANGED = "callback_arranged", _("Callback arranged")
    NOT_RESOLVED = "not_resolved", _("Not resolved")


def handles_handovers(user) -> bool:
    """Whether ``user`` works inbound contacts, where chatbot hand-overs go."""
    profile = profile_of(user)
    return profile is not None and profile.channel_kind == ChannelKind.INBOUND_CALL


class HandoverQuerySet(models.QuerySet):
    def waiting(self) -> HandoverQuerySet:
        """Not taken yet, oldest first."""
        return self.filter(status=HandoverStatus.WAITING).order_by("created_at", "pk")

    def visible_to(self, user) -> HandoverQuerySet:
        """The one place that decides who sees which hand-over: a waiting one belongs to no
        site, so every inbound agent sees it; once taken, only its taker, the team leads of
        the taker's site, and CVM managers see it."""
        held = roles_of(user)
        if held & {Role.CVM_MANAGER, Role.ADMINISTRATOR}:
            return self.all()
        profile = profile_of(user)
        if profile is None or not held & {Role.AGENT, Role.TEAM_LEAD}:
            return self.none()
        seen = Q(taken_by=user)
        if handles_handovers(user):
            seen |= Q(status=HandoverStatus.WAITING)
        if Role.TEAM_LEAD in held:
            seen |= Q(site_id=profile.site_id)
        return self.filter(seen)


class Handover(models.Model):
    """A chatbot conversation handed to an inbound agent: who (if the bot knew), what the bot
    learnt (intent, summary, transcript), who took it and how it ended. One per conversation
    of a client: posting the same conversation again gives the same hand-over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("chatbot")
    )
    conversation_id = models.CharField(_("conversation id"), max_length=100)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers",
        verbose_name=_("customer"),
        help_text=_("Empty when the caller's number belongs to no customer."),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=32,
        blank=True,
        help_text=_("As the bot gave it (E.164 when it is a number)."),
    )
    intent = models.CharField(_("intent"), max_length=100)
    summary = models.CharField(_("summary"), max_length=1000)
    transcript_url = models.URLField(_("transcript"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.WAITING
    )
    created_at = models.DateTimeField(_("handed over"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)  # the taker's, when taken
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=HandoverOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "conversation_id"], name="handover_one_per_conversation"
            ),
            models.CheckConstraint(
                condition=Q(status__in=HandoverStatus.values), name="handover_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=HandoverStatus.CLOSED, closed_at__isnull=False) & ~Q(outcome="")
                | ~Q(status=HandoverStatus.CLOSED) & Q(outcome=""),
                name="handover_outcome_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="handover_queue_idx"),
            models.Index(fields=["customer", "-created_at"], name="handover_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.intent} ({self.get_status_display()})"

    @property
    def outcomes(self) -> list[tuple[str, str]]:
        """The outcomes an agent may close it with (for the close buttons)."""
        return HandoverOutcome.choices
