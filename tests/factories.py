"""Test data, in one place: factories, and the small worlds several test modules share
(a target group activated as a load activates it, an outbound agency, a bonus store, guides)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from django.utils import timezone

from campaigns.choices import (
    CampaignStatus,
    ChannelKind,
    NotPresentedReason,
    Objective,
    Outcome,
    ProductFamily,
    Segment,
    ValueTier,
)
from campaigns.models import Campaign, Customer, Offer, OfferContent, Product
from channels.choices import SiteKind
from channels.console.links import NotYourLink, customer_id_from
from channels.models import AgentProfile, Site
from cvm_portal.roles import Role, assign_role

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, _extracted, **kwargs):
        if create:
            obj.save()


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"SITE-{n:03d}")
    name = factory.Sequence(lambda n: f"Store {n}")
    kind = SiteKind.STORE
    region = "Mazowieckie"
    timezone = "Europe/Warsaw"


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    channel_kind = ChannelKind.STORE


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C{n:07d}")
    phone = factory.Sequence(lambda n: f"+4850{n:07d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    segment = Segment.POSTPAID
    value_tier = ValueTier.SILVER
    customer_since = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=800))
    consent_marketing = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"PROD-{n:03d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    family = ProductFamily.MOBILE_PLAN


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    code = factory.Sequence(lambda n: f"OFFER-{n:03d}")
    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Offer {n}")
    benefit = "Something good"
    value = Decimal("10.00")
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))
    channel_kinds = factory.LazyFunction(
        lambda: [ChannelKind.STORE, ChannelKind.INBOUND_CALL, ChannelKind.USSD]
    )


class OfferContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferContent

    offer = factory.SubFactory(OfferFactory)
    channel_kind = ChannelKind.STORE
    agent_script = "Would you like more data for less?"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CAMP-{n:03d}")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    objective = Objective.UPSELL
    status = CampaignStatus.DRAFT
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=50))
    channel_kinds = factory.LazyFunction(lambda: [ChannelKind.STORE, ChannelKind.INBOUND_CALL])

    @factory.post_generation
    def offers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.offers.set(extracted)


def user_with_role(
    role: Role | None, *, site: Site | None = None, channel_kind=ChannelKind.STORE, **kwargs
):
    """A user holding ``role``; agents and team leads work at ``site`` (a new store by default)."""
    user = UserFactory(**kwargs)
    if role in (Role.AGENT, Role.TEAM_LEAD):
        AgentProfileFactory(
            user=user,
            site=site or SiteFactory(),
            channel_kind=channel_kind,
            is_team_lead=role == Role.TEAM_LEAD,
        )
        assign_role(user, Role.AGENT)
    if role is not None:
        assign_role(user, role)
    return user


def api_client(name: str = "web-shop", kinds=(ChannelKind.WEB,)):
    """An API client for ``kinds`` with one working key; returns (client, key)."""
    from channels.api.clients import create_client
    from channels.models import ApiClient

    client = ApiClient(name=name, channel_kinds=list(kinds))
    _row, key = create_client(client=client)
    return client, key


CONTROL_CODE_TRIES = 10_000


def control_code_for(campaign, wanted: list[tuple[str, bool]]) -> tuple[str, Decimal]:
    """A control code and share that put exactly the customers marked True in the control group:
    [(customer external id, in control)]. The first code of ``campaign.code~0``, ``~1``… that
    does; a clear error, not an endless search, when none of ``CONTROL_CODE_TRIES`` does (the
    bucket rule in ``campaigns.control`` no longer spreads customers over 0–9999)."""
    from campaigns.control import is_control

    if not any(control for _id, control in wanted):
        return campaign.code, Decimal(0)
    share = Decimal(100) if all(control for _id, control in wanted) else Decimal(50)
    for n in range(CONTROL_CODE_TRIES):
        code = f"{campaign.code}~{n}"
        if all(is_control(ext, code, share) == control for ext, control in wanted):
            return code, share
    raise AssertionError(
        f"none of {CONTROL_CODE_TRIES} control codes puts exactly the wanted customers of "
        f"{campaign.code} in a {share} % control group; has campaigns.control.control_bucket "
        "stopped spreading customers evenly over its buckets?"
    )


def target_group(campaign, members):
    """An active target-group version of ``campaign`` holding ``members``: dicts of
    TargetGroupMember fields (customer required), plus ``"is_control": True`` for a member the
    control group must hold (the version's control code and share are chosen so that exactly
    those members are in it). Made live by a load's own activation (``campaigns.store``): on
    PostgreSQL the version gets the loader's table, attached as its partition, and the members
    go in through the partitioned table."""
    from django.db import connection

    from campaigns import store
    from campaigns.choices import LoadKind, LoadStatus
    from campaigns.models import LoadRun, TargetGroup, TargetGroupMember, TargetGroupVersion

    members = [dict(m) for m in members]
    wanted = [(m["customer"].external_id, m.pop("is_control", False)) for m in members]
    code, share = control_code_for(campaign, wanted)
    group, _ = TargetGroup.objects.get_or_create(campaign=campaign)
    version = TargetGroupVersion.objects.create(
        target_group=group, control_code=code, control_share=share
    )
    run = LoadRun.objects.create(
        kind=LoadKind.TARGET_GROUP,
        target_group=group,
        target=campaign.code,
        file_name=f"{campaign.code}_factory_v{version.pk}.csv",
        sha256=f"factory-v{version.pk}",
        status=LoadStatus.RUNNING,
        started_by="tests.factories",
        version=version,
    )
    session = None
    if store.is_postgresql():
        from campaigns.loads import postgres as copying
        from campaigns.loads.member_sql import MemberSQL

        connection.ensure_connection()
        session = connection.connection  # the test's own: its transaction holds all of this
        table = MemberSQL(
            names=[], extra=[], original=[], campaign=campaign, run=run, version=version,
            stage=copying.stage_table(run.pk), part=copying.partition_table(version.pk),
        )  # fmt: skip
        with session.cursor() as cur:
            cur.execute(table.create_table())
    with store.load_session(session) as session:
        store.activate(
            session,
            run=run,
            version=version,
            loaded=len(members),
            control=sum(1 for _id, in_control in wanted if in_control),
            now=timezone.now(),
        )
    TargetGroupMember.objects.bulk_create(TargetGroupMember(version=version, **m) for m in members)
    group.refresh_from_db()
    return group


# --- Outbound: an agency calling a live campaign's target group -----------------------------

OUT = ChannelKind.OUTBOUND_CALL
ALL_DAY = {"calls_from": time(0), "calls_until": time(23, 59, 59)}


def outbound_world(members: int = 3, *, site=None, propensities=None, **campaign):
    """A live outbound campaign (also in stores) with ``members`` callable customers, best first,
    shared 100 % to an agency that calls around the clock (so tests do not depend on the hour)."""
    from channels.models import OutboundShare

    site = site or SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY)
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE, OUT], title="Fibre 1 Gb/s")
    OfferContentFactory(offer=offer, channel_kind=OUT, agent_script="Fibre reached your street.")
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[ChannelKind.STORE, OUT],
        **campaign,
    )
    customers = [
        CustomerFactory(consent_calls=True, consent_marketing=True) for _ in range(members)
    ]
    propensities = propensities or [round(0.9 - i * 0.01, 4) for i in range(members)]
    target_group(
        campaign,
        [{"customer": c, "propensity": p} for c, p in zip(customers, propensities, strict=True)],
    )
    OutboundShare.objects.create(campaign=campaign, site=site, share=100)
    return SimpleNamespace(site=site, offer=offer, campaign=campaign, customers=customers)


def outbound_agent(site, **kwargs):
    return user_with_role(Role.AGENT, site=site, channel_kind=OUT, **kwargs)


def build_lists(now=None):
    """Today's call lists, as the schedule builds them."""
    from channels.outbound.lists import build_call_lists

    return build_call_lists(started_by="test", now=now)


# --- Bonus: a store, agents, a campaign with two offers, plans for past months ----------------

# A month in the past, so every test can close it; "now" is in the next month.
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))
ZONE = timezone.get_default_timezone()


def at(day: date | tuple, hour: int = 12) -> datetime:
    """Noon (or ``hour``) of ``day`` in the portal's time zone."""
    if isinstance(day, tuple):
        day = date(*day)
    return datetime.combine(day, time(hour), tzinfo=ZONE)


NOW = at((2026, 4, 10))


def bonus_world():
    """A store with two agents and a team lead, and a live campaign with a cheap and a dear offer."""
    site = SiteFactory(name="Warsaw Centre")
    agent = user_with_role(Role.AGENT, site=site, username="anna", first_name="Anna")
    colleague = user_with_role(Role.AGENT, site=site, username="bartek", first_name="Bartek")
    lead = user_with_role(Role.TEAM_LEAD, site=site, username="lena", first_name="Lena")
    cheap = OfferFactory(title="Data pack", value=Decimal("20.00"))
    dear = OfferFactory(title="Fibre 1 Gb/s", value=Decimal("100.00"))
    campaign = CampaignFactory(code="XS-FIBRE", status=CampaignStatus.LIVE, offers=[cheap, dear])
    return SimpleNamespace(
        site=site,
        agent=agent,
        colleague=colleague,
        lead=lead,
        cheap=cheap,
        dear=dear,
        campaign=campaign,
    )


def bonus_plan(period=MARCH, *, rules=(("10", "0"),), tiers=(), sites=(), **fields):
    """A plan with catch-all rules (amount, value share %) unless rules are given as dicts."""
    from channels.models import BonusPlan, BonusRule, BonusTier

    created = BonusPlan.objects.create(
        name=fields.pop("name", f"Plan {period[0]:%Y-%m}"),
        starts_on=period[0],
        ends_on=period[1],
        **fields,
    )
    created.sites.set(sites)
    for rule in rules:
        if isinstance(rule, dict):
            BonusRule.objects.create(plan=created, **rule)
        else:
            BonusRule.objects.create(
                plan=created, amount=Decimal(rule[0]), value_share=Decimal(rule[1])
            )
    for threshold, multiplier in tiers:
        BonusTier.objects.create(
            plan=created, threshold=Decimal(threshold), multiplier=Decimal(multiplier)
        )
    return created


def presented(agent, offers, campaign, *, when: datetime, site=None):
    """A decision shown to ``agent`` at ``when``: one presentation per offer."""
    from campaigns.models import Decision, Presentation

    decision = Decision.objects.create(
        customer=CustomerFactory(),
        channel_kind=ChannelKind.STORE,
        agent=agent,
        site_id=(site or agent.agent_profile.site).pk,
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=when)
    return [
        Presentation.objects.create(
            decision=decision, offer=offer, campaign=campaign, rank=i + 1, score=1, reason="test"
        )
        for i, offer in enumerate(offers)
    ]


def recorded(agent, offer, campaign, *, when: datetime, outcome=Outcome.ACCEPTED, site=None):
    """A contact with one offer and its outcome, recorded at ``when`` as the console writes it."""
    from campaigns.models import DeclineReason, Response

    presentation = presented(agent, [offer], campaign, when=when, site=site)[0]
    extra = {}
    if outcome == Outcome.DECLINED:
        extra["decline_reason"] = DeclineReason.objects.get_or_create(
            code="too_dear", defaults={"label": "Too expensive"}
        )[0]
    if outcome == Outcome.NOT_PRESENTED:
        extra["not_presented_reason"] = NotPresentedReason.values[0]
    response = Response.objects.create(
        presentation=presentation,
        customer=presentation.decision.customer,
        offer=offer,
        campaign=campaign,
        channel_kind=ChannelKind.STORE,
        outcome=outcome,
        agent=agent,
        site_id=presentation.decision.site_id,
        **extra,
    )
    Response.objects.filter(pk=response.pk).update(recorded_at=when)
    response.refresh_from_db()
    return response


# --- Training: published guides with a quiz ------------------------------------------------


def make_guide(*, campaigns=(), questions=True, publish=True, by=None, **fields):
    """A guide (published by default) with a one-answer and a several-answer question."""
    from training.choices import QuestionKind
    from training.models import Guide
    from training.publishing import add_question, publish_guide

    guide = Guide.objects.create(
        title=fields.pop("title", "Fibre: the pitch"),
        body=fields.pop("body", "## Who\n\nMobile customers **without fibre**."),
        **fields,
    )
    guide.campaigns.set(campaigns)
    if questions:
        add_question(
            guide=guide,
            text="Who is it for?",
            kind=QuestionKind.SINGLE,
            choices=[("Mobile customers without fibre", True), ("Everyone", False)],
        )
        add_question(
            guide=guide,
            text="What may you promise?",
            kind=QuestionKind.MULTIPLE,
            choices=[
                ("3 months free", True),
                ("An SMS confirms the date", True),
                ("Tomorrow", False),
            ],
        )
    if publish:
        publish_guide(guide=guide, by=by, material=True)
        guide.refresh_from_db()
    return guide


def right_answers(guide) -> dict[str, list[str]]:
    """The right choices of every question of the guide's published quiz."""
    return {
        str(q["id"]): [str(c["id"]) for c in q["choices"] if c["correct"]]
        for q in guide.current_version.quiz
    }


def quiz_post(answers: dict[str, list[str]]) -> dict:
    """The quiz form's POST data for ``answers``."""
    return {f"q{qid}": values for qid, values in answers.items()}


def copy_customers(count: int) -> None:
    """``count`` customers C0000001… straight through COPY (set-up, not what is tested)."""
    columns = (
        "external_id, phone, name, segment, value_tier, customer_since, preferred_channel, consent_marketing,"
        " consent_calls, consent_sms, consent_app_push, consent_digital, do_not_contact, created_at, updated_at"
    )
    from django.db import connection

    with (
        connection.cursor() as cur,
        cur.copy(f"COPY campaigns_customer ({columns}) FROM STDIN") as copy,
    ):
        for n in range(1, count + 1):
            copy.write_row(
                (f"C{n:07d}", f"+4850{n:07d}", f"Customer {n}", "postpaid", "silver", "2020-01-01", "",
                 True, True, True, True, True, False, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
            )  # fmt: skip


# --- Governance: a campaign that passes every pre-live check -------------------------------


def ready_campaign(*, author=None, kinds=(ChannelKind.STORE,), **fields):
    """A draft campaign owned by ``author`` that passes every pre-live check: one offer with a
    short script in each of ``kinds``, and an always-on rule (every customer) as its audience."""
    from campaigns.models import EligibilityRule

    offer = OfferFactory(channel_kinds=list(kinds))
    for kind in kinds:
        OfferContentFactory(offer=offer, channel_kind=kind, short_text="More data for less.")
    campaign = CampaignFactory(owner=author, offers=[offer], channel_kinds=list(kinds), **fields)
    EligibilityRule.objects.create(campaign=campaign)
    return campaign


def console_customer_of(location: str, user) -> int | None:
    """The customer that ``location``, a console link made for ``user``
    (``channels.console.links.customer_url``), names; None for any other address. Compare
    this, not the link's text: its signature carries the second it was made in, so the same
    link made a moment later reads differently."""
    try:
        match = resolve(location)
    except Resolver404:
        return None
    if match.view_name != "channels:console_customer":
        return None
    try:
        return customer_id_from(user=user, token=match.kwargs["token"])
    except NotYourLink:
        return None
