"""Refreshing the learned propensities: evidence, priors, convergence, full against incremental."""

import pytest
from django.core.management import call_command
from django.db import connection

from campaigns.choices import CampaignStatus, ChannelKind, Outcome, Segment, ValueTier
from campaigns.learning import portable, postgres
from campaigns.learning.refresh import refresh
from campaigns.models import ContactPolicy, LearnedPropensity, LearningRun
from tests.campaigns.learning_world import outcomes, simulate
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, target_group

pytestmark = pytest.mark.django_db

STORE, CALL = ChannelKind.STORE, ChannelKind.INBOUND_CALL


@pytest.fixture
def world():
    offer = OfferFactory(code="DATA")
    campaign = CampaignFactory(code="UP", status=CampaignStatus.LIVE, offers=[offer])
    silver = CustomerFactory(segment=Segment.POSTPAID, value_tier=ValueTier.SILVER)
    gold = CustomerFactory(segment=Segment.POSTPAID, value_tier=ValueTier.GOLD)
    return {"offer": offer, "campaign": campaign, "silver": silver, "gold": gold}


def row(offer, kind=STORE, segment=Segment.POSTPAID, tier=ValueTier.SILVER):
    return LearnedPropensity.objects.get(
        offer=offer, channel_kind=kind, segment=segment, value_tier=tier
    )


def rows() -> dict:
    return {
        (r.offer_id, r.channel_kind, r.segment, r.value_tier): (
            round(r.prior, 9), r.prior_weight, r.presented, r.accepted,
        )
        for r in LearnedPropensity.objects.all()
    }  # fmt: skip


def test_learned_mean_converges_to_the_true_rate_with_many_outcomes(world):
    # Given 4,000 presentations accepted at a true rate of 30 %, against a default prior of 10 %
    ContactPolicy.objects.update_or_create(pk=1, defaults={"default_propensity": 0.1})
    simulate(world["silver"], world["offer"], world["campaign"], STORE, n=4000, rate=0.3, seed=7)
    # When the propensities are refreshed
    refresh(full=True)
    # Then the learned mean is within 3 points of 30 % (the prior alone would say 10 %)
    learned = row(world["offer"])
    assert learned.presented == 4000
    assert learned.mean == pytest.approx(0.3, abs=0.03)


def test_with_little_evidence_the_prior_dominates(world):
    # Given the file says members of this group accept 20 %, and 4 of 4 presentations were accepted
    target_group(world["campaign"], [{"customer": world["silver"], "propensity": 0.2}])
    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.ACCEPTED: 4})
    # When refreshed
    refresh(full=True)
    # Then the estimate moved a little from the prior, nowhere near the observed 100 %
    learned = row(world["offer"])
    assert learned.prior == pytest.approx(0.2)
    assert learned.mean == pytest.approx((0.2 * 20 + 4) / 24)
    assert learned.mean < 0.4


def test_prior_is_the_groups_mean_file_propensity_else_the_policy_default(world):
    # Given two silver members (0.2 and 0.4) and a gold one (0.9) in the campaign's file; an
    # outbound-call group for gold has no file propensity in another offer's campaign
    other = CustomerFactory(segment=Segment.POSTPAID, value_tier=ValueTier.SILVER)
    target_group(
        world["campaign"],
        [
            {"customer": world["silver"], "propensity": 0.2},
            {"customer": other, "propensity": 0.4},
            {"customer": world["gold"], "propensity": 0.9},
        ],
    )
    lonely = OfferFactory(code="TV")
    always_on = CampaignFactory(code="AO", status=CampaignStatus.LIVE, offers=[lonely])
    ContactPolicy.objects.update_or_create(pk=1, defaults={"default_propensity": 0.07})
    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.DECLINED: 1})
    outcomes(world["gold"], lonely, always_on, CALL, {Outcome.DECLINED: 1})
    # When refreshed
    refresh(full=True)
    # Then each group starts from its own members' mean, or the policy's default
    assert row(world["offer"]).prior == pytest.approx(0.3)
    assert row(lonely, CALL, tier=ValueTier.GOLD).prior == pytest.approx(0.07)


def test_not_presented_outcomes_do_not_count_as_declines(world):
    # Given 10 accepted, 10 declined, 10 later and 50 not presented
    outcomes(
        world["silver"], world["offer"], world["campaign"], STORE,
        {Outcome.ACCEPTED: 10, Outcome.DECLINED: 10, Outcome.LATER: 10, Outcome.NOT_PRESENTED: 50},
    )  # fmt: skip
    # When refreshed
    run = refresh(full=True)
    # Then only the 30 presentations with an outcome are evidence
    learned = row(world["offer"])
    assert (learned.presented, learned.accepted) == (30, 10)
    assert run.responses == 30


def test_groups_are_kept_apart_by_channel_kind_and_customer_group(world):
    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.ACCEPTED: 3})
    outcomes(world["silver"], world["offer"], world["campaign"], CALL, {Outcome.DECLINED: 2})
    outcomes(world["gold"], world["offer"], world["campaign"], STORE, {Outcome.DECLINED: 5})
    refresh(full=True)
    assert row(world["offer"]).accepted == 3
    assert (row(world["offer"], CALL).presented, row(world["offer"], CALL).accepted) == (2, 0)
    assert row(world["offer"], tier=ValueTier.GOLD).presented == 5


def test_incremental_refresh_agrees_with_a_full_one(world):
    # Given a full refresh, then more outcomes, one of them in a group not seen before
    target_group(world["campaign"], [{"customer": world["gold"], "propensity": 0.6}])
    simulate(world["silver"], world["offer"], world["campaign"], STORE, n=200, rate=0.2, seed=1)
    first = refresh(full=True)
    simulate(world["silver"], world["offer"], world["campaign"], STORE, n=150, rate=0.5, seed=2)
    simulate(world["gold"], world["offer"], world["campaign"], CALL, n=40, rate=0.5, seed=3)
    outcomes(world["gold"], world["offer"], world["campaign"], CALL, {Outcome.NOT_PRESENTED: 5})
    # When an incremental refresh adds them
    second = refresh(full=False)
    incremental = rows()
    # Then it read only the new outcomes, and a full refresh finds exactly the same
    assert second.kind == LearningRun.Kind.INCREMENTAL
    assert second.responses == 190
    assert second.up_to_response_id > first.up_to_response_id
    refresh(full=True)
    assert rows() == incremental
    assert incremental[(world["offer"].pk, CALL, Segment.POSTPAID, ValueTier.GOLD)][0] == 0.6


def test_a_first_incremental_refresh_is_full_and_a_second_adds_nothing_twice(world):
    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.ACCEPTED: 2})
    assert refresh(full=False).kind == LearningRun.Kind.FULL
    refresh(full=False)
    assert row(world["offer"]).presented == 2


def test_full_refresh_forgets_evidence_that_is_gone(world):
    # Given a counted outcome that was later removed (as an undo removes it)
    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.ACCEPTED: 1})
    refresh(full=True)
    from campaigns.models import Response

    Response.objects.all().delete()
    # When the nightly full refresh runs
    refresh(full=True)
    # Then the group is back to its prior alone
    assert (row(world["offer"]).presented, row(world["offer"]).accepted) == (0, 0)


def test_command_runs_a_full_or_incremental_refresh(world, capsys):
    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.ACCEPTED: 2})
    call_command("refresh_propensities")
    call_command("refresh_propensities", "--incremental")
    out = capsys.readouterr().out
    assert "Full refresh: 2 outcomes read" in out
    assert "Incremental refresh: 0 outcomes read" in out
    assert list(LearningRun.objects.order_by("pk").values_list("kind", flat=True)) == [
        "full", "incremental",
    ]  # fmt: skip


def test_the_celery_task_refreshes(world, eager_tasks):
    from campaigns.tasks import refresh_propensities_task

    outcomes(world["silver"], world["offer"], world["campaign"], STORE, {Outcome.ACCEPTED: 3})
    assert refresh_propensities_task.delay().get() == 3
    assert row(world["offer"]).accepted == 3


@pytest.mark.postgres
def test_sql_refresh_agrees_with_the_portable_one(world):
    # Given outcomes in several groups and a file with propensities (one member per offer code)
    tv = OfferFactory(code="TV")
    world["campaign"].offers.add(tv)
    target_group(
        world["campaign"],
        [
            {"customer": world["silver"], "propensity": 0.25},
            {"customer": world["gold"], "propensity": 0.75, "offer": tv},
        ],
    )
    simulate(world["silver"], world["offer"], world["campaign"], STORE, n=300, rate=0.3, seed=4)
    simulate(world["gold"], tv, world["campaign"], CALL, n=80, rate=0.6, seed=5)
    outcomes(
        world["gold"], world["offer"], world["campaign"], STORE,
        {Outcome.NOT_PRESENTED: 9, Outcome.DECLINED: 3},
    )  # fmt: skip
    assert connection.vendor == "postgresql"
    arguments = {"since": 0, "up_to": 10**12, "default": 0.1, "weight": 20.0}
    from django.utils import timezone

    # When the SQL and the ORM each refresh the same data
    postgres.refresh(full=True, at=timezone.now(), **arguments)
    by_sql = rows()
    LearnedPropensity.objects.all().delete()
    portable.refresh(full=True, at=timezone.now(), **arguments)
    # Then they learned the same rows
    assert rows() == by_sql
    assert len(by_sql) == 3
    # the gold member's file named another offer: DATA's gold group starts from the default
    assert by_sql[(world["offer"].pk, STORE, Segment.POSTPAID, ValueTier.GOLD)] == (0.1, 20.0, 3, 0)
