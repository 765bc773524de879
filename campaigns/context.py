"""What the customer is doing when a digital channel asks for offers: a decision's context.

A decision request may say the page or screen, the product browsed (its code), the product
family browsed, the intent the customer stated (a code from the list CVM managers keep,
``Intent``) and the device. ``campaigns.decisioning.decide`` takes it as ``context`` and:

- offers of the family browsed score ``ContactPolicy.browsed_family_boost`` times higher (``boost``);
- an intent rules offers out by the campaign's objective, the product's family or the campaign
  itself (``exclusion``: ``Exclusion.INTENT``, told by "why not");
- always-on rules may require an intent, a family browsed or a device (``attach``,
  ``EligibilityRule.fits_context``);
- the reason says so first: "Browsing home broadband now", "Asked about roaming" (``phrases``);
- the decision keeps it (``Decision.context``, ``stored``).

Without a context every answer is exactly what it was before contexts existed. The API's field
is ``ContextSerializer``: the schema lists the active intents, and an intent not in that list is
refused (400), since a typo would otherwise let a customer who wants to cancel be upsold. A
product the catalogue does not know is kept with the decision but boosts nothing: the shop
sells more than CVM makes offers for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from . import catalogue, defaults
from .choices import Device, Exclusion, Objective, ProductFamily
from .models import Intent, Product

PAGE_MAX_LENGTH = 200
CODE_MAX_LENGTH = 40  # Product.code, Intent.code


@dataclass(frozen=True)
class DecisionContext:
    """A request's context; "" for what it did not say. ``family`` is the family browsed:
    as given, else the family of the product browsed when the catalogue knows it."""

    page: str = ""
    product: str = ""
    family: str = ""
    intent: str = ""
    device: str = ""

    def stored(self) -> dict[str, str]:
        """What ``Decision.context`` keeps: the keys that were said."""
        return {key: value for key, value in asdict(self).items() if value}


def read(context) -> DecisionContext | None:
    """A ``DecisionContext`` from the API's validated ``context`` (a dict), or ``context`` itself;
    None when nothing was said (no context, or an empty one)."""
    if context is None or isinstance(context, DecisionContext):
        return context or None
    said = {
        key: str(context.get(key) or "")
        for key in ("page", "product", "family", "intent", "device")
    }
    if not any(said.values()):
        return None
    if not said["family"] and said["product"]:
        said["family"] = product_families().get(said["product"].strip(), "")
    return DecisionContext(**said)


def stored(context: DecisionContext | None) -> dict | None:
    return None if context is None else context.stored()


# --- what the catalogue holds ---------------------------------------------------------------


def intents() -> dict[str, Intent]:
    """{code: intent} of the active intents, with their excluded campaigns' ids in
    ``excluded_campaign_ids``; read once per catalogue (an intent's change renews it)."""
    return catalogue.current().memo("campaigns.context:intents", _load_intents)


def _load_intents() -> dict[str, Intent]:
    found = {}
    for intent in Intent.objects.filter(is_active=True).prefetch_related("excluded_campaigns"):
        intent.excluded_campaign_ids = frozenset(c.pk for c in intent.excluded_campaigns.all())
        found[intent.code] = intent
    return found


def product_families() -> dict[str, str]:
    """{product code: family}, once per catalogue (a product's save renews it)."""
    return catalogue.current().memo(
        "campaigns.context:product-families",
        lambda: dict(Product.objects.values_list("code", "family")),
    )


def connect_signals() -> None:
    """An intent's change renews every process's catalogue (and so ``intents()``)."""
    post_save.connect(catalogue.invalidate, sender=Intent, dispatch_uid="catalogue-save-Intent")
    post_delete.connect(catalogue.invalidate, sender=Intent, dispatch_uid="catalogue-delete-Intent")
    m2m_changed.connect(
        catalogue.invalidate,
        sender=Intent.excluded_campaigns.through,
        dispatch_uid="catalogue-intent-campaigns",
    )


# --- what a decision makes of it ------------------------------------------------------------
# ``c`` below is a ``campaigns.decisioning.Candidate`` (this module does not import it).


def attach(said, decision, candidates: list) -> list:
    """Read the request's context (``said``: see ``read``), keep it on ``decision`` and on each
    candidate, and return ``candidates`` less the always-on ones whose rule asks for a context
    the request does not have (as if the rule did not match)."""
    context = read(said)
    decision.context = stored(context)
    kept = []
    for c in candidates:
        if c.rule is not None and not c.rule.fits_context(context):
            continue
        c.context = context
        kept.append(c)
    return kept


def boost(c, policy) -> float:
    """The factor on ``c``'s arbitration score: the policy's boost when the customer browses
    the family of ``c``'s product, else 1."""
    context = c.context
    if context is None or not context.family or c.offer.product.family != context.family:
        return 1.0
    return policy.browsed_family_boost


def exclusion(c) -> tuple[Exclusion, str] | None:
    """(``Exclusion.INTENT``, a sentence) when the intent the customer stated rules ``c`` out."""
    context = c.context
    if context is None or not context.intent:
        return None
    intent = intents().get(context.intent)
    if intent is None:  # deactivated since the request was checked
        return None
    said = {"intent": intent.name}
    if c.campaign.objective in intent.excluded_objectives:
        what = str(Objective(c.campaign.objective).label).lower()
        return Exclusion.INTENT, _("The customer said “%(intent)s”: no %(what)s offers now.") % {
            **said,
            "what": what,
        }
    if c.offer.product.family in intent.excluded_families:
        what = str(ProductFamily(c.offer.product.family).label).lower()
        return Exclusion.INTENT, _("The customer said “%(intent)s”: no %(what)s offers now.") % {
            **said,
            "what": what,
        }
    if c.campaign.pk in intent.excluded_campaign_ids:
        return Exclusion.INTENT, _(
            "The customer said “%(intent)s”: %(campaign)s is not offered now."
        ) % {**said, "campaign": c.campaign.name}
    return None


def phrases(c) -> list[str]:
    """What the reason says of the context first, when it bears on ``c``: the intent its
    always-on rule asked for, the family the customer browses."""
    context = getattr(c, "context", None)
    if context is None:
        return []
    said = []
    rule = c.rule
    if context.intent and rule is not None and context.intent in rule.intents:
        intent = intents().get(context.intent)
        name = intent.name if intent is not None else context.intent
        said.append(_("Asked about %(intent)s") % {"intent": name.lower()})
    if context.family and context.family == c.offer.product.family:
        family = str(ProductFamily(context.family).label).lower()
        said.append(_("Browsing %(family)s now") % {"family": family})
    return said


# --- the API's field ------------------------------------------------------------------------


class IntentField(serializers.ChoiceField):
    """An active intent's code; the choices are read for every request (and every schema)."""

    def __init__(self, **kwargs):
        super().__init__(choices=[], **kwargs)

    def to_internal_value(self, data):
        self.choices = [(code, intent.name) for code, intent in intents().items()]
        if str(data) not in self.choice_strings_to_values:
            raise serializers.ValidationError(
                _("Unknown intent “%(intent)s”. Known intents: %(known)s.")
                % {"intent": data, "known": ", ".join(self.choice_strings_to_values) or "—"},
                code="invalid_choice",
            )
        return str(data)


class StringField(serializers.CharField):
    """A CharField that takes JSON strings only, as its schema (``type: string``) says: DRF's
    own turns a number into text, so a schema-violating ``0`` would be accepted."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ContextSerializer(serializers.Serializer):
    """What the customer is doing; every field may be left out, and unknown keys are ignored."""

    page = StringField(
        required=False,
        trim_whitespace=False,  # as the schema says: any 1–n characters
        max_length=PAGE_MAX_LENGTH,
        help_text=gettext_lazy("The page or screen the customer is on (e.g. /roaming, app:home)."),
    )
    product = StringField(
        required=False,
        trim_whitespace=False,  # as the schema says: any 1–n characters
        max_length=CODE_MAX_LENGTH,
        help_text=gettext_lazy(
            "The code of the product the customer is looking at. Offers of its family score "
            "higher. A code the catalogue does not know is kept with the decision and boosts "
            "nothing."
        ),
    )
    family = serializers.ChoiceField(
        required=False,
        choices=ProductFamily.choices,
        help_text=gettext_lazy(
            "The product family the customer is browsing; when left out, the product's family."
        ),
    )
    intent = IntentField(
        required=False,
        help_text=gettext_lazy(
            "What the customer said they came for: one of the codes CVM managers keep (the "
            "list is this schema's enum). Another code is refused with 400. An intent may rule "
            "offers out (e.g. no upsell for “cancel”)."
        ),
    )
    device = serializers.ChoiceField(
        required=False,
        choices=Device.choices,
        help_text=gettext_lazy("The customer's device."),
    )

    def get_fields(self):
        fields = super().get_fields()
        # The schema generator reads the choices from here: the enum is the list of today.
        try:
            fields["intent"].choices = [(code, intent.name) for code, intent in intents().items()]
        except DatabaseError:
            # No tables yet (``manage.py check --deploy`` before the first migrate generates the
            # schema too): the intents the first migrate will write.
            fields["intent"].choices = [(code, name) for code, name, *_rest in defaults.INTENTS]
        return fields
