"""Daily execution rollups: what the results dashboards read instead of raw presentations.

``campaigns.results.rollups`` writes them from the raw rows (decisions, presentations,
outcomes, confirmed conversions, and the delivery side's call attempts), a day at a time,
replacing a day's rows in one transaction. Each day is kept at three grains, so that a page
reads the fewest rows that answer it: per agent (campaign × channel kind × site × agent), per
site (the same without the agent) and per channel (campaign × channel kind only).

Reach does not add up across days (a member contacted on two days is one member reached), so
``FirstContact`` keeps each member's first contact per campaign and channel kind, and the
rollups count *first* contacts, which do add up.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..channel_registry import channel_choices
from .core import Campaign, Customer


class Grain(models.TextChoices):
    """How finely a rollup row is cut; the coarser rows are sums of the finer ones."""

    AGENT = "agent", _("per agent")  # campaign × channel kind × site × agent
    SITE = "site", _("per site")  # campaign × channel kind × site
    CHANNEL = "channel", _("per channel")  # campaign × channel kind


# The counters of a day's row, in the order the CSV exports and the tests name them.
COUNTERS = (
    "contacts",
    "shown",
    "held_out",
    "accepted",
    "declined",
    "later",
    "not_presented",
    "confirmed",
    "reached_new",
    "reached_new_any",
    "attempts",
    "attempts_reached",
    "callbacks_set",
    "callbacks_due",
    "callbacks_kept",
    "leads_expired",
    "handling_seconds",
)


class RollupRow(models.Model):
    """The key every rollup row shares: grain, day, campaign, channel kind, site, agent."""

    grain = models.CharField(_("grain"), max_length=10, choices=Grain.choices)
    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    # Ids only: the CVM side does not import the delivery side (sites), and a rollup row must
    # outlive a deleted user without a write to every row that names them.
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    agent_id = models.BigIntegerField(_("agent"), null=True, blank=True)

    class Meta:
        abstract = True


class DailyExecution(RollupRow):
    """One day of one campaign in one channel kind (at one site, by one agent, by grain)."""

    contacts = models.PositiveIntegerField(
        _("contacts"), default=0, help_text=_("Decisions that showed at least one offer.")
    )
    shown = models.PositiveIntegerField(_("offers shown"), default=0)
    held_out = models.PositiveIntegerField(_("held out (control group)"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    declined = models.PositiveIntegerField(_("declined"), default=0)
    later = models.PositiveIntegerField(_("later"), default=0)
    not_presented = models.PositiveIntegerField(_("not presented"), default=0)
    confirmed = models.PositiveIntegerField(
        _("confirmed conversions"),
        default=0,
        help_text=_("Accepted offers of the day that the warehouse's activations confirm."),
    )
    reached_new = models.PositiveIntegerField(
        _("members reached for the first time in this channel kind"), default=0
    )
    reached_new_any = models.PositiveIntegerField(
        _("members reached for the first time in any channel kind"), default=0
    )
    attempts = models.PositiveIntegerField(_("call attempts"), default=0)
    attempts_reached = models.PositiveIntegerField(_("call attempts answered"), default=0)
    callbacks_set = models.PositiveIntegerField(_("callbacks set"), default=0)
    callbacks_due = models.PositiveIntegerField(_("callbacks due"), default=0)
    callbacks_kept = models.PositiveIntegerField(_("callbacks kept"), default=0)
    leads_expired = models.PositiveIntegerField(_("leads expired"), default=0)
    handling_seconds = models.PositiveBigIntegerField(
        _("handling time (s)"),
        default=0,
        help_text=_("Outbound: estimated from the time between an agent's call attempts."),
    )

    class Meta:
        verbose_name = _("daily execution")
        verbose_name_plural = _("daily execution")
        ordering = ["-day", "campaign"]
        indexes = [
            models.Index(fields=["grain", "day"], name="execution_day_idx"),
            models.Index(fields=["grain", "campaign", "day"], name="execution_campaign_idx"),
            models.Index(fields=["grain", "site_id", "day"], name="execution_site_idx"),
            models.Index(fields=["grain", "agent_id", "day"], name="execution_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.campaign_id} {self.channel_kind} ({self.grain})"


class DailyReason(RollupRow):
    """How many offers were declined (or not presented) for one reason, on one day, by grain."""

    outcome = models.CharField(_("outcome"), max_length=20)  # declined or not_presented
    reason = models.CharField(
        _("reason"), max_length=40, help_text=_("A decline reason's code or a not-presented code.")
    )
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("daily reason count")
        verbose_name_plural = _("daily reason counts")
        ordering = ["-day", "campaign"]
        indexes = [
            models.Index(fields=["grain", "day"], name="reason_day_idx"),
            models.Index(fields=["grain", "campaign", "day"], name="reason_campaign_idx"),
            models.Index(fields=["grain", "site_id", "day"], name="reason_site_idx"),
            models.Index(fields=["grain", "agent_id", "day"], name="reason_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.campaign_id} {self.outcome}:{self.reason} = {self.count}"


class FirstContact(models.Model):
    """A customer's first decision for a campaign in a channel kind: shown an offer, or held
    out for the control group (``held_out``). Where and by whom, for the reach of sites and
    agents (the first contact counts where it happened)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    held_out = models.BooleanField(_("held out (control group)"), default=False)
    first_at = models.DateTimeField(_("first contact"))
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    agent_id = models.BigIntegerField(_("agent"), null=True, blank=True)

    class Meta:
        verbose_name = _("first contact")
        verbose_name_plural = _("first contacts")
        constraints = [
            # Also the index of a campaign's contacted members (the biased uplift view).
            models.UniqueConstraint(
                fields=["campaign", "customer", "channel_kind", "held_out"],
                name="first_contact_once",
            )
        ]
        indexes = [models.Index(fields=["first_at"], name="first_contact_at_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.customer_id} {self.channel_kind} {self.first_at:%Y-%m-%d}"


class ResultsRefresh(models.Model):
    """One run of the rollups' refresh: which days it rewrote, when it finished, and the newest
    conversions load it took into account (a later one makes the next run redo its days)."""

    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    conversions_run_id = models.BigIntegerField(
        _("newest conversions load counted"), null=True, blank=True
    )
    rows = models.PositiveIntegerField(_("rows written"), default=0)

    class Meta:
        verbose_name = _("results refresh")
        verbose_name_plural = _("results refreshes")
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["finished_at"], name="results_refresh_at_idx")]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} at {self.finished_at:%Y-%m-%d %H:%M}"
