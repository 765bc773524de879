"""Data of the CVM side: customers, products, offers, campaigns (an offer's channel content is
in ``content``).

Target groups and their nightly loads, responses and contact history join
these in later modules; the names follow the glossary in docs/architecture.md.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cvm_portal import formatting as fmt

from .. import channel_registry
from ..channel_registry import channel_choices
from ..choices import (
    CampaignStatus,
    Consent,
    Objective,
    ProductFamily,
    PropensitySource,
    Segment,
    ValueTier,
)
from ..fields import ChannelKindsField, channel_kind_lookup
from ..phones import format_phone, normalise_phone

E164 = re.compile(r"\+[1-9]\d{6,14}")

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{1,39}$",
    _("Use 2–40 capital letters, digits, “-” or “_”, starting with a letter or digit."),
)


def _in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


def contactable_in(kind: str, *, prefix: str = "") -> Q:
    """Consent for channel kind ``kind`` given and no do-not-contact, as a filter; ``prefix``
    reaches the customer through a relation (``"customer__"``). ``Customer.may_be_contacted_in``
    is the same rule for one customer in memory."""
    found = channel_registry.get(kind)
    if found is None:  # no such channel: nobody is reached there
        return Q(pk__in=[])
    return Q(**{f"{prefix}do_not_contact": False, f"{prefix}{found.consent}": True})


class CustomerQuerySet(models.QuerySet):
    def by_phone(self, raw: str) -> CustomerQuerySet:
        """Customers whose number is ``raw`` typed in any common format."""
        return self.filter(phone=normalise_phone(raw))

    def contactable(self, kind: str) -> CustomerQuerySet:
        """Customers an offer may reach in channel kind ``kind`` (``contactable_in``)."""
        return self.filter(contactable_in(kind))


class Customer(models.Model):
    """A subscriber as the data warehouse describes them, plus consent and do-not-contact."""

    external_id = models.CharField(
        _("customer id"), max_length=64, unique=True, help_text=_("The warehouse's customer id.")
    )
    phone = models.CharField(
        _("phone number"),
        max_length=16,
        unique=True,
        help_text=_("Any common format; stored in international E.164 form, e.g. +48501234567."),
    )
    name = models.CharField(_("name"), max_length=200)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    value_tier = models.CharField(_("value tier"), max_length=10, choices=ValueTier.choices)
    customer_since = models.DateField(_("customer since"))
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=channel_choices, blank=True
    )
    consent_marketing = models.BooleanField(_("offers during service contacts"), default=False)
    consent_calls = models.BooleanField(_("marketing calls and visits"), default=False)
    consent_sms = models.BooleanField(_("SMS and USSD messages"), default=False)
    consent_app_push = models.BooleanField(_("app notifications"), default=False)
    consent_digital = models.BooleanField(_("personalised web and chat offers"), default=False)
    do_not_contact = models.BooleanField(
        _("do not contact"),
        default=False,
        help_text=_("Overrides every consent: no offer is shown or sent in any channel."),
    )
    do_not_contact_since = models.DateTimeField(_("do not contact since"), null=True, blank=True)
    holdings = models.JSONField(
        _("products held"),
        default=list,
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
        help_text=_(
            "Product codes the customer has, from the warehouse snapshot. An offer of a product "
            "the customer already has is never shown."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["external_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__startswith="+"), name="customer_phone_is_e164"
            ),
            models.CheckConstraint(
                condition=_in_choices("segment", Segment), name="customer_segment_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("value_tier", ValueTier), name="customer_value_tier_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    def save(self, *args, **kwargs) -> None:
        if self.phone and not E164.fullmatch(self.phone):
            self.phone = normalise_phone(self.phone)
        if self.do_not_contact and self.do_not_contact_since is None:
            self.do_not_contact_since = timezone.now()
        elif not self.do_not_contact:
            self.do_not_contact_since = None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.phone:
            try:
                self.phone = normalise_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc
        if self.customer_since and self.customer_since > timezone.localdate():
            raise ValidationError({"customer_since": _("A customer cannot join in the future.")})

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    def tenure_months(self, today: date | None = None) -> int:
        today = today or timezone.localdate()
        months = (
            (today.year - self.customer_since.year) * 12 + today.month - self.customer_since.month
        )
        if today.day < self.customer_since.day:
            months -= 1
        return max(months, 0)

    @property
    def tenure_years(self) -> int:
        return self.tenure_months() // 12

    def holds(self, product_code: str) -> bool:
        return product_code in (self.holdings or [])

    def may_be_contacted_in(self, kind: str) -> bool:
        """Consent for ``kind`` given and no do-not-contact (``contactable_in`` in a query)."""
        found = channel_registry.get(kind)
        return found is not None and not self.do_not_contact and getattr(self, found.consent)

    def consents(self) -> list[tuple[str, str, bool]]:
        """(field, label, given) of each consent, in a fixed order: for pages that list them."""
        return [(c.value, c.label, getattr(self, c.value)) for c in Consent]


class Product(models.Model):
    """Something the operator sells; offers are priced propositions of a product."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(
        _("family"),
        max_length=20,
        choices=ProductFamily.choices,
        help_text=_("A customer is shown at most one offer per family."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("family", ProductFamily), name="product_family_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OfferQuerySet(models.QuerySet):
    def for_channel_kind(self, kind: str) -> OfferQuerySet:
        return self.filter(**channel_kind_lookup(kind))

    def valid_at(self, at) -> OfferQuerySet:
        return self.filter(valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )


class Offer(models.Model):
    """A proposition (product + benefit) with content written for each channel kind."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="offers", verbose_name=_("product")
    )
    title = models.CharField(_("title"), max_length=120)
    benefit = models.CharField(
        _("benefit"), max_length=300, help_text=_("What the customer gets, in one sentence.")
    )
    value = models.DecimalField(
        _("monthly value"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Expected added revenue per month if accepted; used in arbitration."),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty for no end.")
    )
    channel_kinds = ChannelKindsField(
        _("allowed channel kinds"), help_text=_("Where this offer may be presented.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfferQuerySet.as_manager()
    # Before/after of every change, for the admin's history and the four-eyes rule.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="offer_validity_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="offer_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError(
                {
                    "valid_until": _("The offer must end after it starts (%(start)s).")
                    % {"start": fmt.datetime(self.valid_from)}
                }
            )

    def is_for(self, kind: str) -> bool:
        return kind in self.channel_kinds

    @property
    def annual_value(self) -> Decimal:
        """The offer's value over a year (monthly value × 12): what arbitration weighs when the
        warehouse gives a member no expected value, and for always-on offers."""
        return self.value * 12

    def is_valid_at(self, at) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


class CampaignQuerySet(models.QuerySet):
    def live(self, at=None) -> CampaignQuerySet:
        at = at or timezone.now()
        return self.filter(status=CampaignStatus.LIVE, starts_at__lte=at, ends_at__gt=at)

    def for_channel_kind(self, kind: str) -> CampaignQuerySet:
        return self.filter(**channel_kind_lookup(kind))

    def for_channel_kinds(self, kinds) -> CampaignQuerySet:
        """Campaigns that run in any of ``kinds``."""
        query = Q()
        for kind in kinds:
            query |= Q(**channel_kind_lookup(kind))
        return self.filter(query)

    def shown_to_agents(self, kinds) -> CampaignQuerySet:
        """Live campaigns of these channel kinds, in the order the agents' workspaces list them."""
        return self.live().for_channel_kinds(kinds).order_by("-priority_weight", "code")


class Campaign(models.Model):
    """A CVM programme: offers in some channel kinds over a period, for a target group."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    objective = models.CharField(_("objective"), max_length=20, choices=Objective.choices)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    channel_kinds = ChannelKindsField(_("channel kinds"))
    offers = models.ManyToManyField(
        Offer, related_name="campaigns", verbose_name=_("offers"), blank=True
    )
    priority_weight = models.DecimalField(
        _("priority weight"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text=_("Multiplies the score of this campaign's offers in arbitration (1 = neutral)."),
    )
    control_share = models.DecimalField(
        _("control-group share (%)"),
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Per cent of the target group held out, so the uplift can be measured."),
    )
    cooldown_days = models.PositiveSmallIntegerField(
        _("cooldown (days)"),
        default=30,
        validators=[MaxValueValidator(730)],
        help_text=_("A customer is contacted for this campaign at most once in this many days."),
    )
    attribution_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "An accepted offer counts as a confirmed conversion when the warehouse reports its "
            "product activated within this many days of the acceptance (1–365)."
        ),
    )
    propensity_source = models.CharField(
        _("likelihood of acceptance"),
        max_length=20,
        default=PropensitySource.FILE,
        choices=PropensitySource.choices,
        help_text=_(
            "Which likelihood scores this campaign's offers: the file's, the one learned from "
            "outcomes (the file's as its prior), or the average of both."
        ),
    )
    exploration_share = models.DecimalField(
        _("exploration share (%)"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
        help_text=_(
            "Per cent of decisions that sample the learned likelihood instead of using its "
            "average (Thompson sampling), to learn faster about uncertain offers. 0 = off. "
            "Never for control-group customers."
        ),
    )
    training_required = models.BooleanField(
        _("training required"),
        default=False,
        help_text=_(
            "Agents see this campaign's offers only after passing the quiz of its programme guide."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_campaigns",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CampaignQuerySet.as_manager()
    # Before/after of every change (status included) and of its offer set.
    history = HistoricalRecords(m2m_fields=[offers])

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at", "code"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("status", CampaignStatus), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("objective", Objective), name="campaign_objective_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(control_share__gte=0) & Q(control_share__lte=100),
                name="campaign_control_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(priority_weight__gt=0), name="campaign_priority_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(attribution_days__gte=1) & Q(attribution_days__lte=365),
                name="campaign_attribution_days_1_365",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at", "ends_at"], name="campaign_live_idx")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {
                    "ends_at": _("The campaign must end after it starts (%(start)s).")
                    % {"start": fmt.datetime(self.starts_at)}
                }
            )

    @property
    def channel_kind_labels(self) -> list[str]:
        return [channel_registry.label(k) for k in self.channel_kinds]

    def is_live(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == CampaignStatus.LIVE and self.starts_at <= at < self.ends_at
