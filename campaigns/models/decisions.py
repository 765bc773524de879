"""Decisions (next-best-offers shown), their presentations, outcomes, and the rules CVM managers tune.

A *decision* is one request for offers (a customer, a channel kind, maybe an agent); each
offer it returns is a *presentation*, including those held out for the control group; an
*outcome* records what happened to one presentation, at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from campaigns import channel_registry

from ..channel_registry import channel_choices
from ..choices import NotPresentedReason, Outcome, Segment, ValueTier
from ..fields import DevicesField, ProductFamiliesField, SegmentsField, ValueTiersField
from ..ids import uuid7
from .core import Campaign, Customer, Offer, Product


class ContactPolicy(models.Model):
    """The global contact rules and arbitration weights; one row, edited by CVM managers.

    Read through ``campaigns.catalogue.current().policy``: held in each process's memory with
    the live campaigns, and renewed when the row is saved (the defaults when there is none)."""

    max_contacts = models.PositiveSmallIntegerField(
        _("contacts allowed"),
        default=3,
        help_text=_("At most this many contacts across all campaigns…"),
    )
    window_days = models.PositiveSmallIntegerField(
        _("in days"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("…in this many days."),
    )
    assisted_offers = models.PositiveSmallIntegerField(
        _("offers shown to agents"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    digital_offers = models.PositiveSmallIntegerField(
        _("offers for digital channels"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    propensity_weight = models.FloatField(
        _("propensity weight"), default=1.0, validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("Score = propensity^a × value^b × priority^c; this is a."),
    )  # fmt: skip
    value_weight = models.FloatField(
        _("value weight"),
        default=1.0,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("b"),
    )
    priority_weight = models.FloatField(
        _("priority weight"),
        default=1.0,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("c"),
    )
    default_propensity = models.FloatField(
        _("propensity when unknown"),
        default=0.1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    browsed_family_boost = models.FloatField(
        _("boost for the family browsed"),
        default=1.5,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_(
            "When a channel says which product or family the customer is browsing, the score "
            "of offers of that family is multiplied by this (1: no boost)."
        ),
    )

    class Meta:
        verbose_name = _("contact policy")
        verbose_name_plural = _("contact policy")

    def __str__(self) -> str:
        return str(_("Contact policy"))

    def offers_for(self, kind: str) -> int:
        return self.assisted_offers if channel_registry.is_assisted(kind) else self.digital_offers


class EligibilityRule(models.Model):
    """Makes a campaign *always on*: its offers are candidates for every customer the rule matches.

    No target group is needed; a customer matches when every condition that is set holds.
    Contact policy, consent, control group and arbitration apply as for target groups.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="eligibility", verbose_name=_("campaign")
    )
    segments = SegmentsField(
        _("segments"), blank=True, help_text=_("Leave all unticked for every segment.")
    )
    value_tiers = ValueTiersField(
        _("value tiers"), blank=True, help_text=_("Leave all unticked for every value tier.")
    )
    min_tenure_months = models.PositiveSmallIntegerField(
        _("minimum tenure (months)"), null=True, blank=True
    )
    max_tenure_months = models.PositiveSmallIntegerField(
        _("maximum tenure (months)"), null=True, blank=True
    )
    requires_product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer must have"),
        help_text=_("Only customers who already have this product (e.g. an add-on for fibre)."),
    )
    # What the request's context must say (campaigns.context): empty means any, and a rule that
    # sets one matches only requests that carry it.
    intents = models.JSONField(
        _("stated intents"),
        default=list,
        blank=True,
        help_text=_("Only when the customer states one of these intents; none ticked: any."),
    )
    browsed_families = ProductFamiliesField(
        _("product families browsed"),
        blank=True,
        help_text=_("Only while the customer browses one of these families; none ticked: any."),
    )
    devices = DevicesField(
        _("devices"), blank=True, help_text=_("Only on these devices; none ticked: any.")
    )
    history = HistoricalRecords()  # before/after of every rule change

    class Meta:
        verbose_name = _("always-on eligibility")
        verbose_name_plural = _("always-on eligibility")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_tenure_months__isnull=True)
                | Q(max_tenure_months__isnull=True)
                | Q(max_tenure_months__gte=models.F("min_tenure_months")),
                name="eligibility_tenure_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.campaign.code)

    def clean(self) -> None:
        low, high = self.min_tenure_months, self.max_tenure_months
        if low is not None and high is not None and high < low:
            raise ValidationError(
                {"max_tenure_months": _("The maximum tenure must not be below the minimum.")}
            )

    def matches(self, customer: Customer, today=None) -> bool:
        if self.segments and customer.segment not in self.segments:
            return False
        if self.value_tiers and customer.value_tier not in self.value_tiers:
            return False
        if self.min_tenure_months is not None or self.max_tenure_months is not None:
            months = customer.tenure_months(today)
            if self.min_tenure_months is not None and months < self.min_tenure_months:
                return False
            if self.max_tenure_months is not None and months > self.max_tenure_months:
                return False
        return self.requires_product is None or customer.holds(self.requires_product.code)

    def fits_context(self, context) -> bool:
        """Whether a request's context (a ``campaigns.context.DecisionContext``; None: none
        given) meets the rule's context conditions; a rule without any fits every request."""
        if not (self.intents or self.browsed_families or self.devices):
            return True
        if context is None:
            return False
        if self.intents and context.intent not in self.intents:
            return False
        if self.browsed_families and context.family not in self.browsed_families:
            return False
        return not self.devices or context.device in self.devices

    def reason_for(self, customer: Customer, today=None) -> str:
        """Why this customer matches, in the customer's own terms (for the reason an offer is shown)."""
        parts = []
        if self.segments:
            parts.append(str(Segment(customer.segment).label).lower())
        if self.value_tiers:
            parts.append(_("%(tier)s tier") % {"tier": ValueTier(customer.value_tier).label})
        if self.min_tenure_months is not None or self.max_tenure_months is not None:
            months = customer.tenure_months(today)
            parts.append(
                ngettext("with us %(n)d month", "with us %(n)d months", months) % {"n": months}
                if months < 24
                else ngettext("with us %(n)d year", "with us %(n)d years", months // 12)
                % {"n": months // 12}
            )
        if self.requires_product is not None:
            parts.append(_("has %(product)s") % {"product": self.requires_product.name})
        return ", ".join(parts) or str(_("every customer"))


class DeclineReason(models.Model):
    """Why a customer declined, and how long the declined offer is then not shown again."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=100)
    suppression_days = models.PositiveSmallIntegerField(
        _("not shown again for (days)"),
        null=True,
        blank=True,
        help_text=_("Empty means never again."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("decline reason")
        verbose_name_plural = _("decline reasons")
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Decision(models.Model):
    """One request for next-best-offers: who, where, by which agent, when."""

    # Time-ordered (campaigns.ids): new decisions go to the right-hand end of the indexes.
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No foreign-key constraint in the database for the customer, the agent, the offer and the
    # campaign (here and on Presentation), nor for a presentation's decision: checking one
    # locks the parent row FOR KEY SHARE (the same few rows on every decision: an API client's
    # service account, a live offer) — together over a third of the decision write's database
    # time. The ORM still applies on_delete; nothing deletes these rows in raw SQL, and a
    # presentation is written with its decision (docs/architecture.md).
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="decisions",
        db_index=False,  # decision_customer_idx (customer, -created_at) serves: one index less to write
        db_constraint=False,
    )
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # The site as an id only: the CVM side does not import the delivery side (channels.Site).
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # What the channel said the customer was doing (campaigns.context.DecisionContext.stored):
    # page, product, family, intent, device; null when the request carried none.
    context = models.JSONField(_("context"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="decision_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel_kind} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def new(cls, *, customer, channel_kind: str, agent=None) -> Decision:
        """An unsaved decision, as ``Decision(customer=…, channel_kind=…, agent=…)`` makes it
        but in half the time (values by position, the parents cached): one per decision."""
        decision = cls(
            uuid7(), customer.pk, channel_kind, agent.pk if agent else None, None, None, None
        )
        decision._state.fields_cache.update(customer=customer, agent=agent)
        return decision


class Presentation(models.Model):
    """One offer of one decision, with its rank, score and reason; held-out ones are not shown."""

    decision = models.ForeignKey(
        Decision,
        on_delete=models.CASCADE,
        related_name="presentations",
        db_index=False,  # the unique (decision, offer) index serves: one index less to write
        db_constraint=False,  # as Decision.customer
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )  # as Decision.agent
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    reason = models.CharField(_("reason shown"), max_length=300)
    held_out = models.BooleanField(_("held out (control group)"), default=False)
    # The likelihood of acceptance the score used (file, learned or blended; None: the policy's
    # default): the model report compares it with what happened.
    propensity = models.FloatField(_("likelihood used"), null=True, blank=True)

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["decision", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "offer"], name="presentation_offer_once_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer.code} #{self.rank}"

    @classmethod
    def new(cls, *, decision, offer, campaign, rank, score, reason, held_out, propensity):
        """An unsaved presentation, as the keyword form makes it but in half the time (values by
        position, the parents cached): a few per decision."""
        presentation = cls(
            None, decision.pk, offer.pk, campaign.pk, rank, score, reason, held_out, propensity
        )
        presentation._state.fields_cache.update(decision=decision, offer=offer, campaign=campaign)
        return presentation


class ResponseQuerySet(models.QuerySet):
    def execution_by_agent(self, *, site_id: int, since) -> dict[int, dict]:
        """Per agent of a site since ``since``: outcomes recorded, presented (contacts), accepted."""
        rows = (
            self.filter(site_id=site_id, recorded_at__gte=since, agent__isnull=False)
            .values("agent_id")
            .annotate(
                recorded=models.Count("id"),
                presented=models.Count("id", filter=~Q(outcome=Outcome.NOT_PRESENTED)),
                accepted=models.Count("id", filter=Q(outcome=Outcome.ACCEPTED)),
            )
        )
        return {row.pop("agent_id"): row for row in rows}


class Response(models.Model):
    """What happened to one presentation; recorded at most once (the first record wins)."""

    presentation = models.OneToOneField(
        Presentation, on_delete=models.CASCADE, related_name="response"
    )
    # Denormalised for the contact-policy look-ups, which must not join through decisions.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="responses")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    decline_reason = models.ForeignKey(
        DeclineReason, on_delete=models.PROTECT, null=True, blank=True
    )
    not_presented_reason = models.CharField(
        _("why not presented"), max_length=20, choices=NotPresentedReason.choices, blank=True
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["customer", "-recorded_at"], name="response_customer_idx"),
            models.Index(fields=["site_id", "recorded_at"], name="response_site_idx"),
            models.Index(fields=["recorded_at"], name="response_recorded_idx"),  # results rollups
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="response_outcome_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.DECLINED) | Q(decline_reason__isnull=False),
                name="response_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.NOT_PRESENTED) | ~Q(not_presented_reason=""),
                name="response_not_presented_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.outcome}"


class UndoneOutcome(models.Model):
    """An outcome its agent undid within the undo period (a wrong click or key): kept for the
    audit with everything the outcome said, and counted nowhere (the outcome row is gone)."""

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="undone_outcomes"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    decline_reason = models.ForeignKey(
        DeclineReason, on_delete=models.PROTECT, null=True, blank=True
    )
    not_presented_reason = models.CharField(
        _("why not presented"), max_length=20, choices=NotPresentedReason.choices, blank=True
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    undone_at = models.DateTimeField(_("undone"), auto_now_add=True)

    class Meta:
        verbose_name = _("undone outcome")
        verbose_name_plural = _("undone outcomes")
        ordering = ["-undone_at"]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.outcome} (undone)"
