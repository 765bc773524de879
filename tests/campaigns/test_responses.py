"""Recording outcomes: once per presentation, with the reasons an outcome needs."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from campaigns.choices import CampaignStatus, ChannelKind, Outcome
from campaigns.decisioning import decide
from campaigns.models import DeclineReason, Response
from campaigns.responses import record_outcome
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, target_group


def a_presentation():
    customer = CustomerFactory(consent_marketing=True)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[OfferFactory(channel_kinds=[ChannelKind.STORE])],
        channel_kinds=[ChannelKind.STORE],
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return decide(customer=customer, channel_kind=ChannelKind.STORE).offers[0].presentation


@pytest.mark.django_db
def test_a_double_click_records_one_outcome_and_the_first_wins():
    presentation = a_presentation()
    first, created = record_outcome(presentation=presentation, outcome=Outcome.ACCEPTED)
    again, created_again = record_outcome(presentation=presentation, outcome=Outcome.LATER)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.outcome == Outcome.ACCEPTED
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_an_outcome_carries_who_where_and_what():
    presentation = a_presentation()
    response, _ = record_outcome(presentation=presentation, outcome=Outcome.LATER, site_id=7)
    assert (response.customer_id, response.offer_id, response.campaign_id, response.channel_kind, response.site_id) == (
        presentation.decision.customer_id, presentation.offer_id, presentation.campaign_id, ChannelKind.STORE, 7,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": Outcome.DECLINED}, "Choose why the customer declined"),
        ({"outcome": Outcome.NOT_PRESENTED}, "Choose why the offer was not presented"),
        (
            {"outcome": Outcome.NOT_PRESENTED, "not_presented_reason": "bored"},
            "Choose why the offer was not presented",
        ),
        ({"outcome": "maybe"}, "Unknown outcome"),
    ],
)
def test_an_outcome_without_its_reason_is_refused(kwargs, message):
    presentation = a_presentation()
    with pytest.raises(ValidationError, match=message):
        record_outcome(presentation=presentation, **kwargs)
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_held_out_offer_cannot_get_an_outcome():
    customer = CustomerFactory(consent_marketing=True)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[OfferFactory(channel_kinds=[ChannelKind.STORE])],
        channel_kinds=[ChannelKind.STORE],
    )
    target_group(campaign, [{"customer": customer, "is_control": True}])
    held = decide(customer=customer, channel_kind=ChannelKind.STORE).held_out[0].presentation
    with pytest.raises(ValidationError, match="control group"):
        record_outcome(presentation=held, outcome=Outcome.ACCEPTED)


@pytest.mark.django_db
def test_the_decline_reasons_are_there_with_their_periods():
    periods = dict(DeclineReason.objects.values_list("code", "suppression_days"))
    assert periods["already_has_it"] is None and periods["bad_timing"] == 14


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tabs_recording_at_once_record_one_outcome():
    assert connection.vendor == "postgresql"
    presentation = a_presentation()
    barrier = threading.Barrier(6)
    created: list[bool] = []

    def click(outcome):
        from django.db import connections

        try:
            barrier.wait()
            created.append(record_outcome(presentation=presentation, outcome=outcome)[1])
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=click, args=(o,)) for o in [Outcome.ACCEPTED, Outcome.LATER] * 3
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(created) == [False] * 5 + [True]
    assert Response.objects.filter(presentation=presentation).count() == 1
