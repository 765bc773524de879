"""Campaign forecasts, load against capacity, and the overloads a campaign causes."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Objective
from campaigns.models import DailyExecution, Grain, TargetGroup, TargetGroupVersion
from channels.capacity import expected_contacts_per_hour, overloads_for_campaign
from channels.capacity.calendar import compute
from channels.capacity.forecast import forecast_for
from channels.choices import SiteKind
from channels.models import (
    CampaignForecast,
    CapacityPlan,
    DigitalCapacity,
    ForecastSource,
    HourBand,
    OutboundShare,
    RosterEntry,
)
from tests.factories import AgentProfileFactory, CampaignFactory, SiteFactory

pytestmark = [pytest.mark.django_db]
ZONE = timezone.get_default_timezone()
MONDAY = date(2031, 3, 3)  # a future week, so no real campaign or today's date interferes


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZONE)


def with_audience(campaign, members: int, control: int = 0):
    group = TargetGroup.objects.create(campaign=campaign)
    version = TargetGroupVersion.objects.create(
        target_group=group, member_count=members, control_count=control, control_code="X"
    )
    group.active_version = version
    group.save()


def ten_day_campaign(**fields):
    fields.setdefault("status", CampaignStatus.APPROVED)
    fields.setdefault("channel_kinds", [ChannelKind.INBOUND_CALL])
    return CampaignFactory(
        starts_at=midnight(MONDAY), ends_at=midnight(MONDAY + timedelta(days=10)), **fields
    )


def roster(plan, agents: int, *, day: date | None = None):
    for band in HourBand.values:
        if day is None:
            for weekday in range(7):
                RosterEntry.objects.create(
                    plan=plan, weekday=weekday, hour_band=band, agents=agents
                )
        else:
            RosterEntry.objects.create(plan=plan, day=day, hour_band=band, agents=agents)


def test_contacts_per_day_are_the_audience_times_the_rate_over_the_days():
    # Given 1,100 members (100 in the control group) and a manager's rate of 30 per 100
    campaign = ten_day_campaign()
    with_audience(campaign, 1100, control=100)
    CampaignForecast.objects.create(
        campaign=campaign, channel_kind=ChannelKind.INBOUND_CALL, contact_rate_pct=30
    )

    # When the forecast is read
    fc = forecast_for(campaign, ChannelKind.INBOUND_CALL)

    # Then 1,000 contactable × 30 % over 10 days is 30 a day, the manager's word
    assert fc.days == 10
    assert fc.contacts_per_day == pytest.approx(30)
    assert fc.source == ForecastSource.EDITED


def test_the_rate_is_learnt_from_ended_campaigns_of_the_same_objective():
    # Given an ended retention campaign that reached 200 of its 1,000 members by phone
    past = CampaignFactory(
        code="RET-OLD",
        objective=Objective.RETENTION,
        status=CampaignStatus.ENDED,
        starts_at=timezone.now() - timedelta(days=60),
        ends_at=timezone.now() - timedelta(days=30),
    )
    with_audience(past, 1000)
    for day, n in ((date(2031, 1, 5), 120), (date(2031, 1, 6), 80)):
        DailyExecution.objects.create(
            grain=Grain.CHANNEL,
            day=day,
            campaign=past,
            channel_kind=ChannelKind.INBOUND_CALL,
            contacts=n,
        )
    # ... and an upsell campaign, which does not count for retention
    other = CampaignFactory(objective=Objective.UPSELL, status=CampaignStatus.ENDED)
    with_audience(other, 10)
    DailyExecution.objects.create(
        grain=Grain.CHANNEL,
        day=date(2031, 1, 5),
        campaign=other,
        channel_kind=ChannelKind.INBOUND_CALL,
        contacts=10,
    )
    campaign = ten_day_campaign(objective=Objective.RETENTION)
    with_audience(campaign, 500)

    # When its forecast is read without a saved one
    fc = forecast_for(campaign, ChannelKind.INBOUND_CALL)

    # Then the rate is the past one, 20 per 100, and says where it comes from
    assert fc.rate_pct == Decimal("20.00")
    assert fc.source == ForecastSource.PAST_RESULTS
    assert "RET-OLD" in fc.basis
    assert fc.contacts_per_day == pytest.approx(10)  # 500 × 20 % over 10 days


def test_outbound_contacts_follow_the_campaigns_site_shares_and_the_band_profile():
    # Given an outbound campaign of 100 contacts a day shared 75/25 between two agencies
    north = SiteFactory(kind=SiteKind.AGENCY, name="North")
    south = SiteFactory(kind=SiteKind.AGENCY, name="South")
    campaign = ten_day_campaign(channel_kinds=[ChannelKind.OUTBOUND_CALL])
    CampaignForecast.objects.create(
        campaign=campaign,
        channel_kind=ChannelKind.OUTBOUND_CALL,
        contact_rate_pct=0,
        contacts_per_day=100,
    )
    OutboundShare.objects.create(campaign=campaign, site=north, share=75)
    OutboundShare.objects.create(campaign=campaign, site=south, share=25)
    for site in (north, south):
        plan = CapacityPlan.objects.create(
            site=site, channel_kind=ChannelKind.OUTBOUND_CALL, unanswered_per_conversation=0
        )
        roster(plan, 10)

    # When the load of its first day is computed
    cells = compute(MONDAY, MONDAY, digital=False)

    # Then North gets 75 a day, 30 % of them (22.5) between 11 and 14
    north_midday = next(
        c for c in cells if c.site_id == north.pk and c.band == HourBand.LATE_MORNING
    )
    assert north_midday.contacts == pytest.approx(22.5)
    assert sum(c.contacts for c in cells if c.site_id == south.pk) == pytest.approx(25)
    # ... and paced agents need 22.5 × 240 s over 3 h at 80 % occupancy
    assert north_midday.needed == pytest.approx(22.5 * 240 / (3 * 3600 * 0.8))


def test_overloads_for_campaign_names_the_campaign_where_it_pushes_a_site_over():
    # Given an inbound centre that handles its usual 240 calls a day with 4 agents a band
    site = SiteFactory(kind=SiteKind.INBOUND_CENTRE, name="Łódź")
    AgentProfileFactory(site=site, channel_kind=ChannelKind.INBOUND_CALL)
    plan = CapacityPlan.objects.create(
        site=site, channel_kind=ChannelKind.INBOUND_CALL, baseline_contacts_per_day=240
    )
    roster(plan, 4)
    quiet = ten_day_campaign(code="QUIET")
    CampaignForecast.objects.create(
        campaign=quiet, channel_kind=ChannelKind.INBOUND_CALL, contact_rate_pct=0
    )
    assert overloads_for_campaign(quiet) == []

    # When a draft campaign is forecast to bring 400 more calls a day
    loud = ten_day_campaign(code="LOUD", status=CampaignStatus.DRAFT)
    CampaignForecast.objects.create(
        campaign=loud,
        channel_kind=ChannelKind.INBOUND_CALL,
        contact_rate_pct=0,
        contacts_per_day=400,
    )
    found = overloads_for_campaign(loud)

    # Then every band of its 10 days is over capacity, and the overload names it
    assert len(found) == 10 * 4
    first = found[0]
    assert (first.day, first.hour_band, first.site_name) == (MONDAY, "08–11", "Łódź")
    assert first.campaign_codes == ["LOUD"]
    assert first.available == 4
    assert first.needed > 4


def test_a_dated_roster_override_replaces_the_weekday():
    # Given a site rostered 4 a band, but only 1 on a training Tuesday
    site = SiteFactory(kind=SiteKind.INBOUND_CENTRE)
    plan = CapacityPlan.objects.create(
        site=site, channel_kind=ChannelKind.INBOUND_CALL, baseline_contacts_per_day=120
    )
    roster(plan, 4)
    roster(plan, 1, day=MONDAY + timedelta(days=1))

    # When the week is computed
    over = [c for c in compute(MONDAY, MONDAY + timedelta(days=6), digital=False) if c.overloaded]

    # Then only the training day is over capacity, and nobody is blamed
    assert {c.day for c in over} == {MONDAY + timedelta(days=1)}
    assert all(c.campaigns == {} for c in over)


def test_digital_peak_requests_per_second_against_capacity():
    # Given a web channel taking 10 requests a second, usually peaking at 8
    DigitalCapacity.objects.create(
        channel_kind=ChannelKind.WEB, requests_per_second=10, baseline_peak_rps=8
    )
    campaign = ten_day_campaign(code="WEBBY", channel_kinds=[ChannelKind.WEB])
    CampaignForecast.objects.create(
        campaign=campaign, channel_kind=ChannelKind.WEB, contact_rate_pct=0, contacts_per_day=72_000
    )

    # When its overloads are read
    found = overloads_for_campaign(campaign)

    # Then 72,000 a day is 30 % in 3 h = 2/s on average, 6/s at peak: 14 > 10
    assert len(found) == 10
    assert found[0].site_name == ""
    assert found[0].needed == pytest.approx(14)
    assert found[0].available == 10
    assert found[0].campaign_codes == ["WEBBY"]


def test_expected_contacts_per_hour_is_the_busiest_band_rate():
    campaign = ten_day_campaign()
    with_audience(campaign, 1000)
    CampaignForecast.objects.create(
        campaign=campaign, channel_kind=ChannelKind.INBOUND_CALL, contact_rate_pct=100
    )

    # 1000 over 10 days is 100 a day, 30 of them in the busiest 3 hours
    assert expected_contacts_per_hour(campaign, ChannelKind.INBOUND_CALL) == pytest.approx(10)
    assert expected_contacts_per_hour(campaign, ChannelKind.WEB) is None


def test_no_forecast_without_an_audience_or_a_saved_estimate():
    campaign = ten_day_campaign()

    assert expected_contacts_per_hour(campaign, ChannelKind.INBOUND_CALL) is None
