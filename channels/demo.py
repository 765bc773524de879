"""Deterministic demo sites, agents and the one-login-per-role accounts."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from campaigns.choices import ChannelKind
from campaigns.models import Customer
from cvm_portal.roles import Role, assign_role
from training.teams import set_digital_team

from .agents import sync_agent_roles
from .choices import SiteKind
from .models import AgentProfile, Site

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed by the demo on purpose; refused in production

SITES = [
    (
        "WAW-STORE-01",
        "Warszawa Złote Tarasy store",
        SiteKind.STORE,
        "Mazowieckie",
        "Europe/Warsaw",
        "ul. Złota 59, Warszawa",
    ),
    (
        "KRK-STORE-01",
        "Kraków Galeria store",
        SiteKind.STORE,
        "Małopolskie",
        "Europe/Warsaw",
        "ul. Pawia 5, Kraków",
    ),
    (
        "GDN-STORE-01",
        "Gdańsk Forum store",
        SiteKind.STORE,
        "Pomorskie",
        "Europe/Warsaw",
        "ul. Targ Sienny 7, Gdańsk",
    ),
    (
        "LDZ-INBOUND",
        "Łódź inbound call centre",
        SiteKind.INBOUND_CENTRE,
        "Łódzkie",
        "Europe/Warsaw",
        "",
    ),
    (
        "POZ-AGENCY-TS",
        "TeleSales Partner (agency, Poznań)",
        SiteKind.AGENCY,
        "Wielkopolskie",
        "Europe/Warsaw",
        "",
    ),
]

# (username, site, channel kind, team lead?, first, last) — the named logins first.
NAMED_AGENTS = [
    ("store1", "WAW-STORE-01", ChannelKind.STORE, False, "Sara", "Store"),
    ("lead1", "WAW-STORE-01", ChannelKind.STORE, True, "Leon", "Lead"),
    ("callcentre1", "LDZ-INBOUND", ChannelKind.INBOUND_CALL, False, "Celina", "Call"),
    ("outbound1", "POZ-AGENCY-TS", ChannelKind.OUTBOUND_CALL, False, "Olaf", "Outbound"),
]
# How many further agents each site gets, so the demo has 30 agents in all.
FURTHER_AGENTS = {
    "WAW-STORE-01": (ChannelKind.STORE, 4),
    "KRK-STORE-01": (ChannelKind.STORE, 5),
    "GDN-STORE-01": (ChannelKind.STORE, 5),
    "LDZ-INBOUND": (ChannelKind.INBOUND_CALL, 6),
    "POZ-AGENCY-TS": (ChannelKind.OUTBOUND_CALL, 6),
}
# Sites whose first further agent is also their team lead.
LEAD_AT = {"KRK-STORE-01", "GDN-STORE-01", "LDZ-INBOUND", "POZ-AGENCY-TS"}

FIRST = [
    "Ala",
    "Bartek",
    "Celina",
    "Darek",
    "Ela",
    "Filip",
    "Gosia",
    "Henryk",
    "Iga",
    "Jacek",
    "Kasia",
    "Łukasz",
]
LAST = ["Adamska", "Bąk", "Czarnecki", "Duda", "Ejsmont", "Frąckowiak", "Górski", "Hoffmann"]

# Login → role, in the order the demo prints them.
ROLE_LOGINS = [
    ("store1", Role.AGENT, "store agent"),
    ("callcentre1", Role.AGENT, "inbound call-centre agent"),
    ("outbound1", Role.AGENT, "outbound agent (agency)"),
    ("lead1", Role.TEAM_LEAD, "team lead / store manager"),
    ("cvm1", Role.CVM_MANAGER, "CVM manager"),
    ("cvm2", Role.CVM_MANAGER, "second CVM manager (approves what cvm1 submits: four eyes)"),
    ("trainer1", Role.TRAINER, "trainer"),
    ("digital1", Role.DIGITAL_TEAM, "digital team member (web and app): training only"),
    ("admin", Role.ADMINISTRATOR, "administrator"),
]


def _user(username: str, password_hash: str, first: str = "", last: str = ""):
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "password": password_hash,
            "is_active": True,
        },
    )
    return user


def _profile(user, site: Site, kind: str, lead: bool) -> None:
    profile, _ = AgentProfile.objects.update_or_create(
        user=user, defaults={"site": site, "channel_kind": kind, "is_team_lead": lead}
    )
    sync_agent_roles(profile)


@transaction.atomic
def build_sites_and_people() -> dict[str, int]:
    """Upsert the demo sites, 30 agents and one login per role, all with the demo password."""
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    sites = {}
    for code, name, kind, region, tz, address in SITES:
        sites[code], _ = Site.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "region": region,
                "timezone": tz,
                "address": address,
            },
        )
    agents = 0
    for username, site_code, kind, lead, first, last in NAMED_AGENTS:
        _profile(_user(username, password_hash, first, last), sites[site_code], kind, lead)
        agents += 1
    i = 0
    for site_code, (kind, count) in FURTHER_AGENTS.items():
        for n in range(1, count + 1):
            first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
            i += 1
            username = f"{site_code.split('-')[0].lower()}-{kind.split('_')[0]}-{n:02d}"
            lead = site_code in LEAD_AT and n == 1
            _profile(_user(username, password_hash, first, last), sites[site_code], kind, lead)
            agents += 1
    _user("cvm1", password_hash, "Celina", "Manager")
    _user("cvm2", password_hash, "Roman", "Reviewer")
    _user("trainer1", password_hash, "Tadeusz", "Trainer")
    _user("admin", password_hash, "Ada", "Admin")
    User = get_user_model()
    assign_role(User.objects.get(username="cvm1"), Role.CVM_MANAGER)
    assign_role(User.objects.get(username="cvm2"), Role.CVM_MANAGER)
    assign_role(User.objects.get(username="trainer1"), Role.TRAINER)
    assign_role(User.objects.get(username="admin"), Role.ADMINISTRATOR)
    # Someone who builds the web shop and app journeys: no site, trained all the same.
    set_digital_team(
        user=_user("digital1", password_hash, "Dorota", "Digital"),
        channel_kinds=[ChannelKind.WEB, ChannelKind.APP],
    )
    return {"sites": len(sites), "agents": agents}


# Live demo campaigns worked by phone: (campaign, site, share %, per conversion, per reached).
OUTBOUND_SHARES = [
    ("RET-5G-Q4", "POZ-AGENCY-TS", 100, "40.00", "2.00"),
    ("XS-FIBRE", "POZ-AGENCY-TS", 100, "60.00", "0.00"),
]


@transaction.atomic
def build_outbound() -> int:
    """Site shares and agency rates of the demo's outbound campaigns; then today's call lists."""
    from datetime import time

    from campaigns.models import Campaign
    from channels.outbound.lists import build_call_lists

    from .models import OutboundSettings, OutboundShare

    # The demo agency calls around the clock, so whoever starts the demo at whatever hour
    # finds leads waiting; real sites keep their 9:00–20:00 default or their own hours.
    Site.objects.filter(code="POZ-AGENCY-TS").update(
        calls_from=time(0), calls_until=time(23, 59, 59)
    )
    for code, site_code, share, per_conversion, per_reached in OUTBOUND_SHARES:
        campaign = Campaign.objects.get(code=code)
        OutboundShare.objects.update_or_create(
            campaign=campaign,
            site=Site.objects.get(code=site_code),
            defaults={
                "share": share,
                "rate_per_conversion": per_conversion,
                "rate_per_reached": per_reached,
            },
        )
        OutboundSettings.objects.get_or_create(campaign=campaign)
    return sum(b.leads for b in build_call_lists(started_by="demo"))


@transaction.atomic
def build_bonus() -> int:
    """One bonus plan for this month for every agent, so a newcomer sees a statement."""
    from campaigns.models import Campaign
    from channels.bonus.periods import month_bounds, overlapping_plans, today
    from channels.models import BonusPlan, BonusRule, BonusTier

    first, last = month_bounds(today())
    plan = BonusPlan.objects.filter(name="Programme bonus", starts_on=first).first()
    if plan is None:
        if overlapping_plans(channel_kind="", site_ids=[], starts_on=first, ends_on=last).exists():
            return 0  # somebody already set this month's plans up; leave them alone
        plan = BonusPlan.objects.create(
            name="Programme bonus",
            starts_on=first,
            ends_on=last,
            target=Decimal("400"),
            cap=Decimal("2000"),
            clawback_days=30,
            min_presentation_share=Decimal("80"),
        )
        BonusRule.objects.create(plan=plan, amount=Decimal("10"), value_share=Decimal("10"))
        BonusRule.objects.create(
            plan=plan, campaign=Campaign.objects.get(code="RET-5G-Q4"), amount=Decimal("30")
        )
        BonusTier.objects.create(plan=plan, threshold=Decimal("100"), multiplier=Decimal("1.5"))
    return plan.pk


DEMO_API_CLIENT = "Demo digital channels"


@transaction.atomic
def build_api_client() -> str:
    """The demo's API client (every digital channel kind) with one fresh key, returned to be
    printed: keys are stored hashed, so each run of the demo issues a new one and revokes the
    earlier ones."""
    from channels.api.clients import create_client, issue_key, revoke_keys
    from channels.models import DIGITAL_KINDS, ApiClient

    client = ApiClient.objects.filter(name=DEMO_API_CLIENT).first()
    if client is None:
        _row, key = create_client(
            client=ApiClient(name=DEMO_API_CLIENT, channel_kinds=DIGITAL_KINDS)
        )
        return key
    revoke_keys(keys=client.keys.all())
    _row, key = issue_key(client=client)
    return key


def build_handover() -> bool:
    """A chatbot hand-over waiting for an inbound agent (callcentre1 sees it on the console),
    from the demo's API client; once per demo (its conversation id makes it idempotent).
    True when this run made it."""
    from channels.handover.desk import receive
    from channels.models import ApiClient

    client = ApiClient.objects.filter(name=DEMO_API_CLIENT).first()
    customer = Customer.objects.filter(external_id="C0000004").first()
    if client is None or customer is None:
        return False
    return receive(
        client=client,
        conversation_id="demo-roaming-1",
        customer=customer,
        phone="",
        # The bot's own words: data, in the language the customer wrote in, not portal text.
        intent="Roaming in Spain",
        summary=(
            "Travels to Spain on Friday and asks what a week of data would cost. "
            "Already has mobile plan M."
        ),
        transcript_url="https://chat.example.com/transcripts/demo-roaming-1",
    ).created
