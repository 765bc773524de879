"""What agents and calls tell CVM about customers' needs: notes agents add during a contact,
recordings a telephony system attaches, and the weekly research queue of sampled recordings.

Free text is masked before storage (``cvm_portal.masking``): phone numbers, national
id numbers (PESEL) and card numbers never reach the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns import channel_registry
from campaigns.models import Campaign, Customer, Decision, DeclineReason, NeedTag
from cvm_portal.roles import Role, roles_of

from .api import ApiClient
from .outbound import CallAttempt
from .sites import Site, profile_of

NOTE_MAX_LENGTH = 500


class CustomerNoteQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerNoteQuerySet:
        """The one place that decides who reads which notes: CVM managers (and administrators)
        all of them; an agent or team lead those written at their own site, none from another
        site nor CVM's own; anyone else none."""
        held = roles_of(user)
        if held & {Role.CVM_MANAGER, Role.ADMINISTRATOR}:
            return self.all()
        profile = profile_of(user)
        if profile is None or not held & {Role.AGENT, Role.TEAM_LEAD}:
            return self.none()
        return self.filter(site_id=profile.site_id)


class CustomerNote(models.Model):
    """What an agent heard the customer needs: tags from the taxonomy and a short masked text."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="need_notes", verbose_name=_("customer")
    )
    tags = models.ManyToManyField(NeedTag, related_name="notes", verbose_name=_("needs"))
    text = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # The author's site when they wrote it (None for CVM staff): who may read it.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel_kind = models.CharField(_("channel kind"), max_length=20)
    # The contact it was written in, when there was one; the campaign it was about, if any.
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    objects = CustomerNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer-need note")
        verbose_name_plural = _("customer-need notes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="need_note_customer_idx"),
            models.Index(fields=["site", "created_at"], name="need_note_site_idx"),
            models.Index(fields=["created_at"], name="need_note_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.created_at:%Y-%m-%d}"

    @property
    def channel_kind_label(self) -> str:
        """The channel kind in words ("Store", "Outbound call")."""
        try:
            return channel_registry.label(self.channel_kind)
        except ValueError:
            return self.channel_kind


class Recording(models.Model):
    """A call recording's reference, attached by the telephony system to an outbound attempt or
    an inbound contact (a decision made in an agent's console). The audio stays there: the
    portal keeps the link and the facts needed to sample it for research."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="+", verbose_name=_("attached by")
    )
    reference = models.CharField(_("recording id"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    duration_s = models.PositiveIntegerField(_("duration (s)"))
    call_attempt = models.ForeignKey(
        CallAttempt, on_delete=models.CASCADE, null=True, blank=True, related_name="recordings"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Denormalised when attached, for the weekly sample: whose call, which campaign, what came
    # of it (the outcome recorded for the contact's offer, if any).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    decline_reason = models.ForeignKey(
        DeclineReason, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("call time"))
    created_at = models.DateTimeField(_("attached"), auto_now_add=True)

    class Meta:
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference"], name="recording_reference_once_per_client"
            ),
            models.CheckConstraint(
                condition=(Q(call_attempt__isnull=False) & Q(decision__isnull=True))
                | (Q(call_attempt__isnull=True) & Q(decision__isnull=False)),
                name="recording_one_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "recorded_at"], name="recording_campaign_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class ResearchItem(models.Model):
    """A recording sampled into a week's research queue, and what a CVM manager made of it."""

    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, related_name="research_items"
    )
    week = models.DateField(_("week (Monday)"))
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    # What the sample was stratified by: "accepted", "declined:<reason code>", "other".
    stratum = models.CharField(_("stratum"), max_length=60)
    tags = models.ManyToManyField(NeedTag, blank=True, related_name="research_items")
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How useful the call is as research, 1–5."),
    )
    note = models.CharField(_("finding"), max_length=NOTE_MAX_LENGTH, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("research item")
        verbose_name_plural = _("research queue")
        ordering = ["-week", "campaign", "stratum", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "week"], name="research_item_once_a_week"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="research_item_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.recording_id}"
