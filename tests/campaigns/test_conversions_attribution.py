"""Confirmed conversions of accepted offers, and each arm's conversions for the uplift, counted
by hand on a small world (campaigns.conversions)."""

import os
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns import conversions
from campaigns.choices import LoadKind, LoadStatus, Outcome
from campaigns.conversions import Arm, arm_conversions, confirmed_for_responses
from campaigns.models import Campaign, Conversion, LoadRun
from cvm_portal.roles import Role
from tests.campaigns.test_admin import _campaign_form
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    at,
    recorded,
    target_group,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return LoadRun.objects.create(
        kind=LoadKind.CONVERSIONS,
        target="conversions",
        file_name="conversions__20260501.csv",
        status=LoadStatus.SUCCEEDED,
        started_by="test",
    )


def activated(run, customer, product, day: tuple, order_ref: str = "") -> Conversion:
    return Conversion.objects.create(
        customer=customer, product=product, activated_on=date(*day), order_ref=order_ref,
        load_run=run,
    )  # fmt: skip


# --- accepted offers ----------------------------------------------------------------------


@pytest.fixture
def shop():
    fibre, tv = ProductFactory(code="FIBRE-1G"), ProductFactory(code="TV-PLUS")
    offer = OfferFactory(code="FIBRE-OFFER", product=fibre)
    campaign = CampaignFactory(code="XS-FIBRE", offers=[offer], attribution_days=10)
    return {
        "agent": user_with_role(Role.AGENT),
        "offer": offer,
        "campaign": campaign,
        "fibre": fibre,
        "tv": tv,
    }


def accepted(shop, day: tuple, *, hour: int = 12, outcome=Outcome.ACCEPTED, campaign=None):
    return recorded(
        shop["agent"], shop["offer"], campaign or shop["campaign"], when=at(day, hour),
        outcome=outcome,
    )  # fmt: skip


def test_an_accepted_offer_counts_when_its_product_is_activated_within_the_window(shop, run):
    in_window = accepted(shop, (2026, 3, 1))
    activated(run, in_window.customer, shop["fibre"], (2026, 3, 6), "ORD-1")
    on_the_last_day = accepted(shop, (2026, 3, 1))
    activated(run, on_the_last_day.customer, shop["fibre"], (2026, 3, 11))
    same_day = accepted(shop, (2026, 3, 1))
    activated(run, same_day.customer, shop["fibre"], (2026, 3, 1))
    too_late = accepted(shop, (2026, 3, 1))
    activated(run, too_late.customer, shop["fibre"], (2026, 3, 12))
    before = accepted(shop, (2026, 3, 5))
    activated(run, before.customer, shop["fibre"], (2026, 3, 4))
    declined = accepted(shop, (2026, 3, 1), outcome=Outcome.DECLINED)
    activated(run, declined.customer, shop["fibre"], (2026, 3, 2))
    other_product = accepted(shop, (2026, 3, 1))
    activated(run, other_product.customer, shop["tv"], (2026, 3, 2))
    never = accepted(shop, (2026, 3, 1))

    found = confirmed_for_responses()

    assert set(found) == {in_window.pk, on_the_last_day.pk, same_day.pk}
    confirmation = found[in_window.pk]
    assert (confirmation.accepted_on, confirmation.activated_on) == (
        date(2026, 3, 1), date(2026, 3, 6),
    )  # fmt: skip
    assert confirmation.conversion_id == Conversion.objects.get(order_ref="ORD-1").pk
    assert never.pk not in found


def test_the_first_activation_after_acceptance_confirms_it(shop, run):
    response = accepted(shop, (2026, 3, 10))
    activated(run, response.customer, shop["fibre"], (2026, 3, 1))  # before: an earlier purchase
    activated(run, response.customer, shop["fibre"], (2026, 3, 14), "SECOND")
    activated(run, response.customer, shop["fibre"], (2026, 3, 12), "FIRST")

    confirmation = confirmed_for_responses()[response.pk]

    assert Conversion.objects.get(pk=confirmation.conversion_id).order_ref == "FIRST"


def test_the_window_counts_days_in_the_portals_time_zone(shop, run):
    # Just after midnight in Warsaw is still the day before in UTC.
    response = accepted(shop, (2026, 3, 2), hour=0)
    activated(run, response.customer, shop["fibre"], (2026, 3, 12))  # day 2 + 10

    assert confirmed_for_responses()[response.pk].accepted_on == date(2026, 3, 2)


def test_responses_can_be_limited_to_campaigns_and_a_start(shop, run):
    other = CampaignFactory(code="OTHER", offers=[shop["offer"]], attribution_days=1)
    early = accepted(shop, (2026, 3, 1))
    late = accepted(shop, (2026, 3, 20))
    elsewhere = accepted(shop, (2026, 3, 20), campaign=other)
    elsewhere_too_late = accepted(shop, (2026, 3, 20), campaign=other)
    for response, day in (
        (early, (2026, 3, 2)), (late, (2026, 3, 21)), (elsewhere, (2026, 3, 21)),
        (elsewhere_too_late, (2026, 3, 22)),
    ):  # fmt: skip
        activated(run, response.customer, shop["fibre"], day)

    assert set(confirmed_for_responses()) == {early.pk, late.pk, elsewhere.pk}
    assert set(confirmed_for_responses(campaign_ids=[shop["campaign"].pk])) == {early.pk, late.pk}
    assert set(confirmed_for_responses(since=at((2026, 3, 10)))) == {late.pk, elsewhere.pk}


def test_confirming_responses_is_one_query(shop, run, django_assert_num_queries):
    for n in range(5):
        response = accepted(shop, (2026, 3, 1 + n))
        activated(run, response.customer, shop["fibre"], (2026, 3, 2 + n))
    with django_assert_num_queries(1):
        assert len(confirmed_for_responses()) == 5


# --- arms of the target group -------------------------------------------------------------


@pytest.fixture
def arms_world(run):
    fibre, tv, box = (ProductFactory(code=c) for c in ("FIBRE-1G", "TV-PLUS", "TV-BOX"))
    campaign = CampaignFactory(
        code="XS-FIBRE",
        offers=[OfferFactory(product=fibre), OfferFactory(product=box)],
        starts_at=at((2026, 3, 1), 0),
        ends_at=at((2026, 4, 1), 0),  # the last day is 31 March; the window ends 10 April
        attribution_days=10,
    )
    people = {name: CustomerFactory(external_id=name) for name in (
        "T1", "T2", "T3", "T4", "T5", "K1", "K2", "K3", "NOT-A-MEMBER",
    )}  # fmt: skip
    group = target_group(
        campaign,
        [{"customer": people[n]} for n in ("T1", "T2", "T3", "T4", "T5")]
        + [{"customer": people[n], "is_control": True} for n in ("K1", "K2", "K3")],
    )
    for name, product, day in (
        ("T1", fibre, (2026, 3, 15)),  # converted
        ("T2", fibre, (2026, 4, 11)),  # a day after the window
        ("T3", tv, (2026, 3, 15)),  # not a product the campaign offers
        ("T4", fibre, (2026, 3, 5)),  # converted, twice: counts once
        ("T4", fibre, (2026, 3, 20)),
        ("T5", box, (2026, 4, 10)),  # converted: the other offer's product, on the last day
        ("K1", fibre, (2026, 3, 1)),  # converted on the campaign's first day
        ("K2", fibre, (2026, 2, 28)),  # before the campaign
        ("NOT-A-MEMBER", fibre, (2026, 3, 10)),  # organic, outside the target group
    ):
        activated(run, people[name], product, day)
    return {"campaign": campaign, "group": group}


def test_each_arm_counts_every_member_and_those_who_converted_in_the_window(arms_world):
    arms = arm_conversions(arms_world["campaign"])

    assert arms == {"treatment": Arm(5, 3), "control": Arm(3, 1)}
    assert arms["treatment"].rate == pytest.approx(0.6)
    assert arms["control"].rate == pytest.approx(1 / 3)


def test_arms_are_empty_without_a_target_group():
    campaign = CampaignFactory(offers=[OfferFactory()])

    assert arm_conversions(campaign) == {"treatment": Arm(0, 0), "control": Arm(0, 0)}
    assert Arm(0, 0).rate is None


def test_a_longer_attribution_window_counts_later_activations(arms_world):
    campaign = arms_world["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(attribution_days=11)
    campaign.refresh_from_db()

    assert arm_conversions(campaign)["treatment"] == Arm(5, 4)  # T2, on 11 April, now counts
    assert conversions.conversion_window(campaign) == (date(2026, 3, 1), date(2026, 4, 11))


@pytest.mark.postgres
def test_postgresql_counts_the_arms_in_sql_as_the_portable_path_does(arms_world):
    campaign = arms_world["campaign"]
    version = arms_world["group"].active_version
    products = sorted(set(campaign.offers.values_list("product_id", flat=True)))
    start, end = conversions.conversion_window(campaign)

    in_sql = conversions._converted_in_sql(version, products, start, end)
    with_python = conversions._converted_with_python_rule(version, products, start, end)

    assert sorted(in_sql) == sorted(with_python) == [(False, 3), (True, 1)]


# --- the campaign's attribution window ----------------------------------------------------


@pytest.mark.parametrize(("days", "valid"), [(0, False), (1, True), (365, True), (366, False)])
def test_the_attribution_window_is_1_to_365_days(days, valid):
    campaign = CampaignFactory(attribution_days=days) if valid else CampaignFactory()
    campaign.attribution_days = days
    if valid:
        campaign.full_clean()
        return
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert "attribution_days" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(attribution_days=days)


def test_a_new_campaign_attributes_for_30_days_and_the_admin_edits_it(client, make_user):
    campaign = CampaignFactory()
    assert campaign.attribution_days == 30
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="attribution_days"' in page and 'value="30"' in page
    form = _campaign_form(starts="2026-11-01", ends="2026-12-01", attribution_days="400")
    refused = client.post("/admin/campaigns/campaign/add/", form).content.decode()
    assert "Ensure this value is less than or equal to 365." in refused
    form.update({"attribution_days": "45", "eligibility-TOTAL_FORMS": "0"})
    form.update({"eligibility-INITIAL_FORMS": "0"})  # the always-on inline, left empty
    assert client.post("/admin/campaigns/campaign/add/", form).status_code == 302
    assert Campaign.objects.get(code="RET-1").attribution_days == 45


# --- the demo -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_reports_activations_that_show_an_uplift(inbox):
    from django.core.management import call_command

    from campaigns.models import TargetGroupMember

    call_command("demo", customers=3000, stdout=open(os.devnull, "w"))  # noqa: SIM115

    run = LoadRun.objects.get(kind=LoadKind.CONVERSIONS)
    assert run.status == LoadStatus.SUCCEEDED and run.rows_loaded > 100
    assert sorted(run.rejects.values_list("reason", flat=True)) == [
        "unknown_customer", "unknown_product",
    ]  # fmt: skip
    treatment = control = Arm(0, 0)
    for campaign in Campaign.objects.filter(target_group__active_version__isnull=False):
        arms = arm_conversions(campaign)
        treatment = Arm(*(a + b for a, b in zip(treatment, arms["treatment"], strict=True)))
        control = Arm(*(a + b for a, b in zip(control, arms["control"], strict=True)))
        first_day, _last = conversions.conversion_window(campaign)
        members = TargetGroupMember.objects.filter(
            version=campaign.target_group.active_version
        ).values("customer_id")
        # Some members had bought the product before the campaign: not counted.
        assert Conversion.objects.filter(
            customer_id__in=members, activated_on__lt=first_day
        ).exists()
    assert control.converted and treatment.rate > control.rate  # about 10 % against 5 %
    members = TargetGroupMember.objects.values("customer_id")
    assert Conversion.objects.exclude(customer_id__in=members).exists()  # bought on their own
