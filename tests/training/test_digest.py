"""The weekly sales digest: a hand-counted week, the ranking with its minimum sample, objections,
confirmed conversions, the trainer's review and publishing, and who sees what."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.choices import ChannelKind, LoadKind, LoadStatus, NotPresentedReason, Outcome
from campaigns.models import Conversion, Decision, DeclineReason, LoadRun, Presentation, Response
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    SiteFactory,
    at,
)
from training import digest
from training.choices import DigestSection, DigestStatus
from training.models import DigestItem, WeeklyDigest

pytestmark = pytest.mark.django_db

STORE, INBOUND = ChannelKind.STORE, ChannelKind.INBOUND_CALL
WEEK = date(2026, 3, 30)  # Monday of ISO week 2026-W14
DURING = at((2026, 4, 1))  # its Wednesday, noon
BUILT = at((2026, 4, 6), 6)  # the Monday after, 06:00


def outcomes(offer, campaign, site, *, kind=STORE, when=DURING, customer=None, **counts):
    """Recorded outcomes of ``offer`` at ``site``: accepted=n, later=n, not_presented=n, and
    declines as <reason code>=n (price, already_has_it)."""
    customer = customer or CustomerFactory()
    wanted = []
    for name, n in counts.items():
        wanted += [name] * n
    decisions = Decision.objects.bulk_create(
        Decision(id=uuid.uuid4(), customer=customer, channel_kind=kind, site_id=site.pk)
        for _ in wanted
    )
    shown = Presentation.objects.bulk_create(
        Presentation(decision=d, offer=offer, campaign=campaign, rank=1, score=1, reason="t")
        for d in decisions
    )
    rows = []
    for presentation, name in zip(shown, wanted, strict=True):
        row = Response(
            presentation=presentation, customer=customer, offer=offer, campaign=campaign,
            channel_kind=kind, site_id=site.pk, outcome=name,
        )  # fmt: skip
        if name not in Outcome.values:
            row.outcome = Outcome.DECLINED
            row.decline_reason = DeclineReason.objects.get(code=name)
        elif name == Outcome.NOT_PRESENTED:
            row.not_presented_reason = NotPresentedReason.NO_TIME
        rows.append(row)
    made = Response.objects.bulk_create(rows)
    Response.objects.filter(pk__in=[r.pk for r in made]).update(recorded_at=when)
    return made


@pytest.fixture
def world(settings):
    """Week 2026-W14, counted by hand (minimum: 10 presentations per offer and channel kind).

    Store, site S1 and S2 (campaign 2 runs Fibre at S2: counted together across campaigns):
      Fibre  S1: 10 accepted, 4 later, price 4, already_has_it 2 (+3 not presented) = 20 presented
             S2:  6 accepted, 4 later, price 10            =  20   → 16 / 40 accepted (40 %)
      Data   S1: 15 accepted, price 3, already_has_it 12           =  30   → 15 / 30 (50 %)
      TV     S2:  2 accepted, price 10                     =  12   →  2 / 12
      Lucky  S1:  2 accepted                               =   2   → left out (under 10)
    Store contacts 84; price 27, already_has_it 14.
    Inbound, S1: Fibre 9 accepted, 1 later = 10 presented.
    """
    settings.CVM_DIGEST_MIN_PRESENTATIONS = 10
    for code, label in (("price", "Too expensive"), ("already_has_it", "Already has it")):
        DeclineReason.objects.get_or_create(code=code, defaults={"label": label})  # the defaults
    s1, s2 = SiteFactory(name="Warsaw Centre"), SiteFactory(name="Kraków Old Town")
    fibre = OfferFactory(title="Fibre switch")
    data = OfferFactory(title="Data pack")
    tv = OfferFactory(title="TV plus")
    lucky = OfferFactory(title="Lucky dip")
    OfferContentFactory(offer=fibre, channel_kind=STORE, agent_script="Fibre: three months free.")
    OfferContentFactory(offer=data, channel_kind=STORE, agent_script="Double data, same price.")
    OfferContentFactory(offer=fibre, channel_kind=INBOUND, agent_script="On the phone: fibre.")
    one = CampaignFactory(offers=[fibre, data, tv, lucky])
    two = CampaignFactory(offers=[fibre])
    outcomes(fibre, one, s1, accepted=10, later=4, price=4, already_has_it=2, not_presented=3)
    outcomes(fibre, two, s2, accepted=6, later=4, price=10)
    outcomes(data, one, s1, accepted=15, price=3, already_has_it=12)
    outcomes(tv, one, s2, accepted=2, price=10)
    outcomes(lucky, one, s1, accepted=2)
    outcomes(fibre, one, s1, kind=INBOUND, accepted=9, later=1)
    return {"s1": s1, "s2": s2, "fibre": fibre, "data": data, "tv": tv, "lucky": lucky}


def items(found, kind, section=DigestSection.OFFER):
    return list(found.items.filter(channel_kind=kind, section=section).order_by("rank"))


# --- building the week ---------------------------------------------------------------------


def test_offers_are_ranked_by_the_lower_bound_of_their_acceptance_per_channel_kind(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    store = items(built, STORE)
    assert [(i.offer_title, i.accepted, i.presented) for i in store] == [
        ("Data pack", 15, 30),  # 50 % of 30: at least 33 %
        ("Fibre switch", 16, 40),  # 40 % of 40, across both campaigns: at least 26 %
        ("TV plus", 2, 12),
    ]
    assert round(store[0].score, 3) == 0.332 and round(store[1].score, 3) == 0.263
    assert store[0].script == "Double data, same price."
    inbound = items(built, INBOUND)
    assert [(i.offer_title, i.accepted, i.presented, i.script) for i in inbound] == [
        ("Fibre switch", 9, 10, "On the phone: fibre.")
    ]


def test_an_offer_under_the_minimum_sample_is_left_out_even_at_2_of_2(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    assert "Lucky dip" not in [i.offer_title for i in built.items.all()]
    assert built.min_presentations == 10


def test_with_the_default_minimum_of_30_only_offers_presented_30_times_count(world, settings):
    settings.CVM_DIGEST_MIN_PRESENTATIONS = 30

    built = digest.build_digest(week_start=WEEK, now=BUILT)

    assert [i.offer_title for i in items(built, STORE)] == ["Data pack", "Fibre switch"]
    assert items(built, INBOUND) == []


def test_each_objection_names_the_offer_whose_pitch_heard_it_least(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    found = items(built, STORE, DigestSection.OBJECTION)
    assert [(i.reason_label, i.kind_declined, i.kind_contacts) for i in found] == [
        ("Too expensive", 27, 84),
        ("Already has it", 14, 84),
    ]
    # Price: Data heard it in 3 of 30 contacts. Already has it: Fibre (2 of 40) beats TV's
    # 0 of 12, whose sample is too small to be sure of being low.
    assert [(i.offer_title, i.declined, i.presented) for i in found] == [
        ("Data pack", 3, 30),
        ("Fibre switch", 2, 40),
    ]
    assert found[0].script == "Double data, same price."


def test_a_channel_kind_with_one_ranked_offer_has_no_offer_to_compare_for_objections(world):
    outcomes(world["fibre"], CampaignFactory(offers=[world["fibre"]]), world["s1"],
             kind=INBOUND, price=1)  # fmt: skip

    built = digest.build_digest(week_start=WEEK, now=BUILT)

    [objection] = items(built, INBOUND, DigestSection.OBJECTION)
    assert (objection.reason_label, objection.offer_id, objection.kind_declined) == (
        "Too expensive",
        None,
        1,
    )


def test_site_figures_are_kept_for_team_leads(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    fibre = items(built, STORE)[1]
    assert fibre.site(world["s1"].pk) == [20, 10, 0]
    assert fibre.site(world["s2"].pk) == [20, 6, 0]
    price = items(built, STORE, DigestSection.OBJECTION)[0]
    assert price.site(world["s1"].pk) == [52, 7]  # 20 + 30 + 2 contacts; 4 + 3 for price
    assert price.site(world["s2"].pk) == [32, 20]


def test_outcomes_outside_the_week_do_not_count(world):
    outcomes(world["tv"], CampaignFactory(offers=[world["tv"]]), world["s1"],
             when=at(WEEK, 0) - timedelta(minutes=1), accepted=30)  # fmt: skip
    outcomes(world["tv"], CampaignFactory(offers=[world["tv"]]), world["s1"],
             when=at((2026, 4, 6), 0), accepted=30)  # fmt: skip

    built = digest.build_digest(week_start=WEEK, now=BUILT)

    assert items(built, STORE)[2].accepted == 2


def test_confirmed_conversions_count_accepted_offers_whose_product_was_activated(world):
    run = LoadRun.objects.create(
        kind=LoadKind.CONVERSIONS, target="conversions", file_name="conversions__20260405.csv",
        status=LoadStatus.SUCCEEDED, started_by="test",
    )  # fmt: skip
    campaign = CampaignFactory(offers=[world["data"]])
    buyers = [CustomerFactory() for _ in range(3)]
    for buyer in buyers:
        outcomes(world["data"], campaign, world["s2"], customer=buyer, accepted=1)
    for buyer in buyers[:2]:
        Conversion.objects.create(customer=buyer, product=world["data"].product,
                                  activated_on=date(2026, 4, 3), load_run=run)  # fmt: skip

    built = digest.build_digest(week_start=WEEK, now=BUILT)

    data = items(built, STORE)[0]
    assert (data.offer_title, data.accepted, data.presented, data.confirmed) == (
        "Data pack",
        18,
        33,
        2,
    )
    assert data.site(world["s2"].pk) == [3, 3, 2]


def test_a_week_that_is_not_over_cannot_be_built(world):
    with pytest.raises(digest.WeekNotOver):
        digest.build_digest(week_start=WEEK, now=at((2026, 4, 5), 23))


@pytest.mark.parametrize("text", ["2026-14", "W14", "2026-W54", "2025-W53"])
def test_a_badly_written_week_is_refused_with_a_clear_message(text):
    with pytest.raises(ValueError, match="YYYY-Www|not a week"):
        digest.parse_week(text)


def test_last_week_is_the_complete_week_before_today():
    assert digest.last_week(BUILT) == WEEK
    assert digest.last_week(at((2026, 4, 12), 23)) == WEEK
    assert digest.parse_week("2026-W14") == WEEK


def test_redrafting_keeps_the_comment_and_hidden_items_and_a_published_digest_never_changes(
    world, make_user
):
    trainer = make_user(Role.TRAINER)
    built = digest.build_digest(week_start=WEEK, now=BUILT)
    tv = items(built, STORE)[2]
    digest.save_review(digest=built, comment="Lead with data.", hidden_ids=[tv.pk], by=trainer)
    outcomes(world["tv"], CampaignFactory(offers=[world["tv"]]), world["s1"], accepted=1)

    again = digest.build_digest(week_start=WEEK, now=BUILT + timedelta(hours=1))

    assert again.pk == built.pk and again.comment == "Lead with data."
    tv = items(again, STORE)[2]
    assert (tv.offer_title, tv.accepted, tv.hidden) == ("TV plus", 3, True)
    digest.publish_digest(digest=again, by=trainer)
    outcomes(world["tv"], CampaignFactory(offers=[world["tv"]]), world["s1"], accepted=5)
    digest.build_digest(week_start=WEEK, now=BUILT + timedelta(days=1))
    assert items(again, STORE)[2].accepted == 3
    with pytest.raises(ValueError, match="gone out"):
        digest.save_review(digest=again, comment="Too late", hidden_ids=[], by=trainer)


def test_a_draft_nobody_publishes_goes_out_by_itself_at_monday_noon_without_a_comment(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)
    assert built.publish_at == at((2026, 4, 6), 12)

    assert digest.publish_due(at((2026, 4, 6), 11)) == []
    assert digest.publish_due(at((2026, 4, 6), 12)) == ["2026-W14"]

    built.refresh_from_db()
    assert (built.status, built.published_by, built.comment) == (DigestStatus.PUBLISHED, None, "")
    assert digest.publish_due(at((2026, 4, 6), 13)) == []  # once


def test_a_digest_built_late_still_leaves_six_hours_to_comment(world):
    built = digest.build_digest(week_start=WEEK, now=at((2026, 4, 8), 9))

    assert built.publish_at == at((2026, 4, 8), 15)


def test_the_command_builds_a_chosen_week_and_refuses_a_bad_one(world, capsys):
    call_command("build_digest", "--week", "2026-W14")

    assert "2026-W14: 6 items, draft" in capsys.readouterr().out
    assert WeeklyDigest.objects.get().items.count() == 6
    with pytest.raises(CommandError, match="YYYY-Www"):
        call_command("build_digest", "--week", "14")


def test_the_tasks_are_scheduled_for_monday_morning_and_hourly():
    from django_celery_beat.models import PeriodicTask

    tasks = {t.task: t.crontab for t in PeriodicTask.objects.filter(task__startswith="training.")}
    build = tasks["training.build_weekly_digest"]
    assert (build.minute, build.hour, build.day_of_week) == ("0", "6", "1")
    assert tasks["training.publish_due_digests"].hour == "*"


def test_an_empty_week_makes_an_empty_digest(settings):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    assert built.items.count() == 0 and DigestItem.objects.count() == 0
