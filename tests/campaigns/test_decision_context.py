"""Context-aware decisions: what the customer browses boosts that family, a stated intent rules
offers out (and "why not" says so), always-on rules can ask for a context, the reason says
it, the decision keeps it, and without a context every answer is what it was before."""

from decimal import Decimal

import pytest
from django.db import connection

from campaigns.choices import (
    CampaignStatus,
    ChannelKind,
    Device,
    Exclusion,
    Objective,
    ProductFamily,
)
from campaigns.context import DecisionContext
from campaigns.decisioning import decide
from campaigns.models import ContactPolicy, Decision, EligibilityRule, Intent
from campaigns.why_not import why_not
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
    user_with_role,
)

pytestmark = pytest.mark.django_db

WEB = ChannelKind.WEB


def offer_in_campaign(customer, code, family, *, propensity, objective=Objective.UPSELL):
    offer = OfferFactory(
        code=code,
        title=f"{code} offer",
        product=ProductFactory(code=f"P-{code}", family=family),
        value=Decimal("10"),
        channel_kinds=[WEB],
    )
    campaign = CampaignFactory(
        code=f"C-{code}",
        name=f"{code} campaign",
        objective=objective,
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[WEB],
        control_share=0,
    )
    if customer is not None:
        target_group(campaign, [{"customer": customer, "propensity": propensity}])
    return offer, campaign


def always_on(code, family, **rule):
    offer, campaign = offer_in_campaign(None, code, family, propensity=None)
    EligibilityRule.objects.create(campaign=campaign, **rule)
    return offer, campaign


@pytest.fixture
def customer():
    """Offered an upsell of a mobile plan (more likely) and a broadband retention offer."""
    ContactPolicy.objects.create(pk=1, digital_offers=3)
    customer = CustomerFactory(consent_digital=True)
    offer_in_campaign(customer, "MOBILE", ProductFamily.MOBILE_PLAN, propensity=0.5)
    offer_in_campaign(
        customer,
        "FIBRE",
        ProductFamily.BROADBAND,
        propensity=0.4,
        objective=Objective.RETENTION,
    )
    return customer


def shown(result):
    return [c.offer.code for c in result.offers]


def test_the_family_browsed_comes_first(customer):
    before = decide(customer=customer, channel_kind=WEB)
    assert shown(before) == ["MOBILE", "FIBRE"]

    after = decide(customer=customer, channel_kind=WEB, context={"family": "broadband"})

    assert shown(after) == ["FIBRE", "MOBILE"]
    fibre_before, fibre_after = before.offers[1], after.offers[0]
    assert fibre_after.score == pytest.approx(fibre_before.score * 1.5)  # the policy's default
    assert after.offers[1].score == before.offers[0].score  # the other family keeps its score


def test_a_product_browsed_boosts_its_family_by_the_policys_weight(customer):
    ContactPolicy.objects.filter(pk=1).update(browsed_family_boost=1.1)
    ContactPolicy.objects.get(pk=1).save()  # the catalogue follows the policy

    result = decide(customer=customer, channel_kind=WEB, context={"product": "P-FIBRE"})

    assert shown(result) == ["MOBILE", "FIBRE"]  # 0.4 × 1.1 < 0.5
    assert result.decision.context == {"product": "P-FIBRE", "family": "broadband"}


def test_a_product_the_catalogue_does_not_know_is_kept_and_boosts_nothing(customer):
    result = decide(customer=customer, channel_kind=WEB, context={"product": "SHOP-CASE-1"})

    assert shown(result) == ["MOBILE", "FIBRE"]
    assert Decision.objects.get(pk=result.decision.pk).context == {"product": "SHOP-CASE-1"}


def test_without_a_context_the_answer_is_exactly_what_it_was(customer):
    def answer(result):
        return [(c.offer.code, c.score, c.reason) for c in result.offers]

    plain = decide(customer=customer, channel_kind=WEB)

    for context in (None, {}, {"page": "", "intent": ""}):
        same = decide(customer=customer, channel_kind=WEB, context=context)
        assert answer(same) == answer(plain)
        assert Decision.objects.get(pk=same.decision.pk).context is None
    # A context that bears on none of the offers changes nothing either but is kept.
    paged = decide(
        customer=customer, channel_kind=WEB, context={"page": "/help", "device": "tablet"}
    )
    assert answer(paged) == answer(plain)
    assert Decision.objects.get(pk=paged.decision.pk).context == {
        "page": "/help",
        "device": "tablet",
    }


def test_cancel_rules_out_upsell_and_why_not_says_so(customer):
    result = decide(customer=customer, channel_kind=WEB, context={"intent": "cancel"})

    assert shown(result) == ["FIBRE"]  # retention stays: a customer who cancels may be kept
    [mobile] = result.excluded
    assert mobile.excluded == Exclusion.INTENT
    [told] = why_not(result)
    assert (told.code, told.text) == (
        Exclusion.INTENT,
        "The customer said “Cancel”: no upsell offers now.",
    )
    assert told.available_from is None


def test_an_intent_can_rule_out_a_family_or_a_campaign(customer):
    data = Intent.objects.create(
        code="data-issue", name="Data issue", excluded_families=[ProductFamily.MOBILE_PLAN]
    )
    result = decide(customer=customer, channel_kind=WEB, context={"intent": "data-issue"})
    assert shown(result) == ["FIBRE"]
    assert why_not(result)[0].text == "The customer said “Data issue”: no mobile plan offers now."

    data.excluded_families = []
    data.save()
    data.excluded_campaigns.set([result.offers[0].campaign])  # the catalogue follows at once

    result = decide(customer=customer, channel_kind=WEB, context={"intent": "data-issue"})
    assert shown(result) == ["MOBILE"]
    assert why_not(result)[0].text == (
        "The customer said “Data issue”: FIBRE campaign is not offered now."
    )


def test_an_intent_that_rules_out_nothing_changes_nothing(customer):
    plain = decide(customer=customer, channel_kind=WEB)
    roaming = decide(customer=customer, channel_kind=WEB, context={"intent": "roaming"})
    assert [(c.offer.code, c.reason) for c in roaming.offers] == [
        (c.offer.code, c.reason) for c in plain.offers
    ]
    assert roaming.excluded == []


def test_an_always_on_rule_on_an_intent_matches_only_that_intent_and_the_reason_says_so():
    customer = CustomerFactory(consent_digital=True)
    always_on("ROAM-PACK", ProductFamily.ROAMING, intents=["roaming"])

    assert shown(decide(customer=customer, channel_kind=WEB)) == []
    assert shown(decide(customer=customer, channel_kind=WEB, context={"intent": "moving"})) == []
    result = decide(customer=customer, channel_kind=WEB, context={"intent": "roaming"})

    assert shown(result) == ["ROAM-PACK"]
    assert result.offers[0].reason.startswith("Asked about roaming · always on: every customer")


def test_an_always_on_rule_on_the_family_browsed_and_the_device():
    customer = CustomerFactory(consent_digital=True)
    always_on(
        "ROAM-APP",
        ProductFamily.ROAMING,
        browsed_families=[ProductFamily.ROAMING],
        devices=[Device.PHONE, Device.TABLET],
    )

    def offered(**context):
        return shown(decide(customer=customer, channel_kind=WEB, context=context))

    assert offered(family="roaming", device="phone") == ["ROAM-APP"]
    assert offered(family="roaming", device="desktop") == []
    assert offered(family="tv", device="phone") == []
    assert offered(device="phone") == []
    result = decide(
        customer=customer, channel_kind=WEB, context={"family": "roaming", "device": "tablet"}
    )
    assert result.offers[0].reason.startswith("Browsing roaming now · always on")


def test_a_rule_without_context_conditions_fits_every_request():
    rule = EligibilityRule()
    assert rule.fits_context(None)
    assert rule.fits_context(DecisionContext(intent="cancel"))
    assert not EligibilityRule(intents=["roaming"]).fits_context(None)


def test_the_reason_says_what_the_customer_browses(customer):
    result = decide(customer=customer, channel_kind=WEB, context={"family": "broadband"})

    fibre = result.offers[0]
    assert fibre.reason.startswith("Browsing home broadband now · Customer for")
    assert fibre.presentation.reason == fibre.reason  # recorded as said
    assert not result.offers[1].reason.startswith("Browsing")


def test_a_deactivated_intent_rules_nothing_out_any_more(customer):
    cancel = Intent.objects.get(code="cancel")
    cancel.is_active = False
    cancel.save()

    result = decide(customer=customer, channel_kind=WEB, context={"intent": "cancel"})

    assert shown(result) == ["MOBILE", "FIBRE"]


def test_the_usual_intents_are_there_in_both_languages():
    cancel = Intent.objects.get(code="cancel")
    assert (cancel.name_en, cancel.name_pl) == ("Cancel", "Rezygnacja")
    assert cancel.excluded_objectives == [Objective.UPSELL, Objective.CROSS_SELL]
    assert set(Intent.objects.values_list("code", flat=True)) >= {
        "upgrade",
        "cancel",
        "complaint",
        "roaming",
        "moving",
    }


def test_a_cvm_manager_keeps_the_intents_in_the_admin(client):
    manager = user_with_role(Role.CVM_MANAGER, is_staff=True)
    client.force_login(manager)

    response = client.post(
        "/admin/campaigns/intent/add/",
        {
            "code": "porting",
            "name_en": "Porting out",
            "name_pl": "Przeniesienie numeru",
            "excluded_objectives": [Objective.UPSELL],
            "excluded_families": [ProductFamily.DEVICE],
            "position": 9,
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    porting = Intent.objects.get(code="porting")
    assert porting.excluded_families == [ProductFamily.DEVICE]
    assert client.get("/admin/campaigns/intent/").status_code == 200
    policy = client.get("/admin/campaigns/contactpolicy/add/")
    assert b"browsed_family_boost" in policy.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_postgresql_fast_path_keeps_the_context(customer):
    assert not connection.in_atomic_block  # the one-statement write, not the ORM's

    said = decide(customer=customer, channel_kind=WEB, context={"intent": "cancel"})
    unsaid = decide(customer=customer, channel_kind=WEB)

    assert Decision.objects.get(pk=said.decision.pk).context == {"intent": "cancel"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT context IS NULL FROM campaigns_decision WHERE id = %s", [unsaid.decision.pk]
        )
        assert cursor.fetchone() == (True,)  # SQL NULL, as the ORM writes None
