"""The sentence an agent reads under "Why" for an offer: about this customer, never against the facts.

First what the agent needs to talk to the customer: the target-group file's own reason for
this member when it gave one ("Used all data in 2 of the last 3 months"), else, for an
always-on offer, what of its rule the customer matches, else a sentence built from the
customer's facts alone (tenure, products held, segment, value tier). Then, secondary, the
model's likelihood, the value and the campaign. The facts sentence states only what the
customer snapshot holds: a customer without products is told nothing of "your plan", and a
prepaid customer is called prepaid. A campaign scoring with the learned likelihood, where the customer's group has
evidence enough, says what customers like this did ("customers like this accept this offer
about 23 % of the time") instead of the model's "likely to accept".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.utils.text import get_text_list
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from cvm_portal import formatting as fmt

from . import catalogue
from . import context as decision_context
from .choices import Objective, Segment, ValueTier
from .learning.serving import REASON_MIN_EVIDENCE
from .models import Customer, Product

MAX_LENGTH = 300  # Presentation.reason
SEPARATOR = " · "
# Labels by value, looked up once (an enumeration's ``values`` builds a new list at every use);
# each is translated when the sentence is made.
SEGMENT_LABELS = {segment.value: segment.label for segment in Segment}
TIER_LABELS = {tier.value: tier.label for tier in ValueTier}


def reason_for(c, *, today: date | None = None, language: str | None = None) -> str:
    """The reason shown for candidate ``c`` (a ``decisioning.Candidate``), at most 300 characters:
    the request's context when it bears on the offer ("Browsing TV now"), the customer sentence,
    then likelihood, value and campaign. ``today`` and ``language`` (the local date, the active
    language): given by a caller that writes several reasons at once, asked here otherwise."""
    language = language or get_language()
    parts = [*decision_context.phrases(c), _about_the_customer(c, today, language)]
    learned = getattr(c, "learned", None)  # set when the campaign scores with learning
    if learned is not None and getattr(c, "evidence", 0) >= REASON_MIN_EVIDENCE:
        percent = round(learned * 100)
        parts.append(
            _fragment(
                (language, "learned", percent),
                lambda: (
                    _("customers like this accept this offer about %(p)s of the time")
                    % {"p": fmt.percent_points(percent)}
                ),
            )
        )
    elif c.propensity is not None:
        percent = round(c.propensity * 100)
        parts.append(
            _fragment(
                (language, "likely", percent),
                lambda: _("likely to accept: %(p)s") % {"p": fmt.percent_points(percent)},
            )
        )
    value = c.value
    parts.append(
        _fragment(
            (language, "worth", str(value), settings.CVM_CURRENCY),
            lambda: _("worth about %(value)s a year") % {"value": fmt.money(value, decimals=0)},
        )
    )
    campaign = c.campaign
    parts.append(
        catalogue.current().memo(  # renewed with the catalogue when a campaign changes
            ("campaigns.reasons:campaign", language, campaign.pk, campaign.name),
            lambda: (
                _("%(campaign)s (%(objective)s)")
                % {
                    "campaign": campaign.name,
                    "objective": str(Objective(campaign.objective).label).lower(),
                }
            ),
        )
    )
    return SEPARATOR.join(part for part in parts if part)[:MAX_LENGTH]


def _about_the_customer(c, today: date | None, language: str) -> str:
    if c.member_reason:
        return c.member_reason
    if c.customer is None:
        return ""
    if c.rule is not None:
        return _("always on: %(why)s") % {"why": c.rule.reason_for(c.customer)}
    return customer_facts(c.customer, today, language)


def customer_facts(
    customer: Customer, today: date | None = None, language: str | None = None
) -> str:
    """What the customer snapshot says of ``customer``, as one sentence: "Customer for 6 years,
    has Fibre 1 Gb/s and TV Plus, consumer postpaid, Gold tier". Products only when the
    customer holds some; nothing that the snapshot does not say."""
    language = language or get_language()
    months = customer.tenure_months(today)
    parts = [_fragment((language, "tenure", months), lambda: _tenure(months))]
    if customer.holdings:
        held = tuple(customer.holdings)
        # One table per catalogue (a product's save renews it), of every set of products seen.
        has = catalogue.current().memo("campaigns.reasons:has", dict)
        parts.append(_fragment((language, held), lambda: _has(held), into=has))
    segment, tier = customer.segment, customer.value_tier
    if segment in SEGMENT_LABELS:
        parts.append(
            _fragment((language, "segment", segment), lambda: str(SEGMENT_LABELS[segment]).lower())
        )
    if tier in TIER_LABELS:
        parts.append(
            _fragment(
                (language, "tier", tier), lambda: _("%(tier)s tier") % {"tier": TIER_LABELS[tier]}
            )
        )
    return ", ".join(parts)


# Translated pieces of the sentence, by language: each is made once, as translating costs more
# than the rest of a decision's reasons (Django's gettext is some 20 µs a call).
_fragments: dict[tuple, str] = {}


def _fragment(key: tuple, make: Callable[[], str], *, into: dict | None = None) -> str:
    table = _fragments if into is None else into
    found = table.get(key)
    if found is None:
        if len(table) > 10_000:  # tenures, languages and product sets are few; never unbounded
            table.clear()
        found = table[key] = make()
    return found


def _tenure(months: int) -> str:
    if months < 1:
        return _("Customer for less than a month")
    if months < 24:
        return ngettext("Customer for %(n)d month", "Customer for %(n)d months", months) % {
            "n": months
        }
    years = months // 12
    return ngettext("Customer for %(n)d year", "Customer for %(n)d years", years) % {"n": years}


def _has(held: tuple[str, ...]) -> str:
    """ "has Fibre 1 Gb/s and TV Plus" (a code the catalogue does not know stands for itself)."""
    names = product_names()
    return _("has %(products)s") % {
        "products": get_text_list([names.get(code, code) for code in held], _("and"))
    }


def product_names() -> dict[str, str]:
    """{product code: name}, read once per catalogue (a product's save renews the catalogue)."""
    return catalogue.current().memo(
        "campaigns.reasons:product-names",
        lambda: dict(Product.objects.values_list("code", "name")),
    )
