"""The weekly sales digest as it was frozen: the week's figures and scripts agents read
(built by ``training.digest``). Imported by ``training.models``, whose app it belongs to."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.channel_registry import channel_choices
from campaigns.models import Offer

from .choices import DigestSection, DigestStatus


class WeeklyDigestQuerySet(models.QuerySet):
    def published(self) -> WeeklyDigestQuerySet:
        return self.filter(status=DigestStatus.PUBLISHED)


class WeeklyDigest(models.Model):
    """The sales training digest of one ISO week (Monday to Sunday, in the portal's time zone):
    drafted automatically, reviewed by a trainer (comment, hidden items), then published.

    A draft nobody publishes goes out by itself at ``publish_at``, without a comment."""

    week_start = models.DateField(_("week starting"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.DRAFT
    )
    comment = models.TextField(_("trainer's comment"), max_length=2000, blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    min_presentations = models.PositiveIntegerField(
        _("minimum presentations"),
        help_text=_("Offers presented fewer times than this in a channel kind were left out."),
    )
    built_at = models.DateTimeField(_("built"))
    publish_at = models.DateTimeField(_("goes out by itself at"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the digest went out by itself."),
    )

    objects = WeeklyDigestQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly sales digest")
        verbose_name_plural = _("weekly sales digests")
        ordering = ["-week_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DigestStatus.values), name="digest_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DigestStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="digest_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "-week_start"], name="digest_latest_idx")]

    def __str__(self) -> str:
        return self.week_label

    @property
    def week_label(self) -> str:
        """The ISO week, as people write it: 2026-W15."""
        year, week, _day = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def week_end(self) -> date:
        """The Sunday that ends the week."""
        return self.week_start + timedelta(days=6)

    @property
    def is_published(self) -> bool:
        return self.status == DigestStatus.PUBLISHED


class DigestItem(models.Model):
    """One ranked line of a digest in one channel kind: a top offer with its script, an
    objection (a decline reason) with the offer whose pitch heard it least often, or a need
    customers asked for (from agents' notes: ``reason_code``/``reason_label`` hold the need's
    code and label, ``script`` an example quote, ``kind_contacts`` the notes in the kind).

    Figures and texts are copied at build time, so an edited script or offer title does not
    change what the digest said. ``site_figures`` holds each site's own counts, for team leads:
    {site id: [presented, accepted, confirmed]} for an offer, {site id: [contacts, declined for
    this reason]} for an objection, {site id: [notes, naming this need]} for a need."""

    digest = models.ForeignKey(WeeklyDigest, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("section"), max_length=10, choices=DigestSection.choices)
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    rank = models.PositiveSmallIntegerField(_("rank"))
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offer_title = models.CharField(_("offer"), max_length=120, blank=True)
    script = models.TextField(_("script or message"), blank=True)
    reason_code = models.CharField(_("decline reason"), max_length=40, blank=True)
    reason_label = models.CharField(_("objection"), max_length=100, blank=True)
    presented = models.PositiveIntegerField(_("presented"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    confirmed = models.PositiveIntegerField(_("confirmed conversions so far"), default=0)
    declined = models.PositiveIntegerField(_("declined for this reason"), default=0)
    kind_contacts = models.PositiveIntegerField(
        _("contacts in the channel kind"), default=0, help_text=_("Objections: the share's base.")
    )
    kind_declined = models.PositiveIntegerField(
        _("declined for this reason in the channel kind"), default=0
    )
    mentions = models.PositiveIntegerField(_("notes naming this need"), default=0)
    score = models.FloatField(
        _("ranking score"),
        help_text=_("Offers: the Wilson lower bound of acceptance. Objections: the upper bound."),
    )
    site_figures = models.JSONField(_("figures per site"), default=dict, blank=True)
    hidden = models.BooleanField(_("hidden by the trainer"), default=False)

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        ordering = ["digest", "channel_kind", "section", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "channel_kind", "section", "rank"], name="digest_item_rank_once"
            ),
            models.CheckConstraint(
                condition=Q(section__in=DigestSection.values), name="digest_item_section_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.digest} {self.channel_kind} {self.section} #{self.rank}"

    @property
    def key(self) -> tuple[str, str, int | None, str]:
        """What the item is about, whatever its rank: kept hidden when a draft is rebuilt."""
        return (self.channel_kind, self.section, self.offer_id, self.reason_code)

    def site(self, site_id: int | None) -> list[int] | None:
        """This item's counts at one site, or None if the site had none that week."""
        if site_id is None:
            return None
        return self.site_figures.get(str(site_id))
