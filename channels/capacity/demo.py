"""The demo's capacity plans: a roster for every demo site, digital channel capacities, and
a Christmas campaign in review whose forecast calls push the inbound centre over capacity, and
a training morning there."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.choices import ChannelKind
from campaigns.models import Campaign
from channels.models import (
    CampaignForecast,
    CapacityPlan,
    ContactType,
    DigitalCapacity,
    ForecastSource,
    HandleTime,
    HandleTimeSource,
    HourBand,
    RosterEntry,
    Site,
)

M, LM, A, E = HourBand.values
# site: (kind, usual contacts a day, SL %, SL seconds, {band: agents Mon–Fri}, {band: agents Sat},
#        {contact type: configured seconds})
# The three stores staff alike on weekdays and weekends and take as long per contact.
STORE_ROSTER = {M: 2, LM: 3, A: 3, E: 2}
STORE_HANDLE_TIMES = {ContactType.SERVICE: 540, ContactType.CONVERSATION: 420}

PLANS = {
    "WAW-STORE-01": (
        ChannelKind.STORE,
        90,
        80,
        300,  # a store's "answered": served within 5 minutes of walking in
        STORE_ROSTER,
        STORE_ROSTER,
        STORE_HANDLE_TIMES,
    ),
    "KRK-STORE-01": (
        ChannelKind.STORE,
        80,
        80,
        300,
        STORE_ROSTER,
        STORE_ROSTER,
        STORE_HANDLE_TIMES,
    ),
    "GDN-STORE-01": (
        ChannelKind.STORE,
        80,
        80,
        300,
        STORE_ROSTER,
        STORE_ROSTER,
        STORE_HANDLE_TIMES,
    ),
    "LDZ-INBOUND": (
        ChannelKind.INBOUND_CALL,
        420,
        80,
        20,
        {M: 5, LM: 6, A: 6, E: 5},
        {M: 4, LM: 5, A: 5, E: 4},
        {ContactType.SERVICE: 240, ContactType.CONVERSATION: 180},
    ),
    "POZ-AGENCY-TS": (
        ChannelKind.OUTBOUND_CALL,
        0,
        80,
        20,
        {M: 3, LM: 5, A: 5, E: 4},
        {M: 0, LM: 2, A: 2, E: 0},
        {},  # measured from the agency's call attempts once there are enough
    ),
}
# kind: (requests per second it takes, its usual peak)
DIGITAL = {
    ChannelKind.WEB: (200, 60),
    ChannelKind.APP: (150, 70),
    ChannelKind.CHATBOT: (20, 6),
    ChannelKind.USSD: (50, 12),
    ChannelKind.IVR: (30, 8),
}
# The in-review Christmas TV campaign: its TV spots are expected to bring calls and visits
# before its target group is loaded (a CVM manager's estimate, contacts per day).
XMAS = ("XS-TV-XMAS", {ChannelKind.INBOUND_CALL: 260, ChannelKind.STORE: 30})
# The inbound centre's team training: the morning of the Wednesday after next, with 2 agents.
TRAINING_AGENTS = 2


@transaction.atomic
def build_capacity() -> int:
    """Upsert the demo's plans, rosters and digital capacities; returns the plans written.
    Safe to run again: the training morning moves with today."""
    sites = {s.code: s for s in Site.objects.filter(code__in=list(PLANS))}
    for code, (kind, baseline, sl, secs, weekdays, saturday, times) in PLANS.items():
        if code not in sites:
            continue
        plan, _created = CapacityPlan.objects.update_or_create(
            site=sites[code],
            channel_kind=kind,
            defaults={
                "baseline_contacts_per_day": baseline,
                "service_level_pct": sl,
                "service_level_seconds": secs,
            },
        )
        for contact_type, seconds in times.items():
            HandleTime.objects.update_or_create(
                plan=plan,
                contact_type=contact_type,
                defaults={"seconds": seconds, "source": HandleTimeSource.CONFIGURED},
            )
        plan.roster.all().delete()
        entries = [
            RosterEntry(plan=plan, weekday=day, hour_band=band, agents=agents)
            for day in range(5)
            for band, agents in weekdays.items()
        ]
        entries += [
            RosterEntry(plan=plan, weekday=5, hour_band=band, agents=agents)
            for band, agents in saturday.items()
        ]
        if code == "LDZ-INBOUND":
            today = timezone.localdate()
            training = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
            entries.append(
                RosterEntry(plan=plan, day=training, hour_band=M, agents=TRAINING_AGENTS)
            )
        RosterEntry.objects.bulk_create(entries)
    code, per_day = XMAS
    campaign = Campaign.objects.filter(code=code).first()
    for kind, contacts in per_day.items():
        if campaign is not None and kind in campaign.channel_kinds:
            CampaignForecast.objects.update_or_create(
                campaign=campaign,
                channel_kind=kind,
                defaults={
                    "contact_rate_pct": 0,
                    "contacts_per_day": contacts,
                    "source": ForecastSource.EDITED,
                    "basis": "",
                },
            )
    for kind, (rps, peak) in DIGITAL.items():
        DigitalCapacity.objects.update_or_create(
            channel_kind=kind, defaults={"requests_per_second": rps, "baseline_peak_rps": peak}
        )
    return len([c for c in PLANS if c in sites])
