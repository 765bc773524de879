"""Test data, in one place."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.choices import (
    CampaignStatus,
    ChannelKind,
    Objective,
    ProductFamily,
    Segment,
    ValueTier,
)
from campaigns.models import Campaign, Customer, Offer, OfferContent, Product
from channels.choices import SiteKind
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
    def _save(obj, create, extracted, **kwargs):
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


def target_group(campaign, members):
    """An active target-group version of ``campaign`` holding ``members``: dicts of
    TargetGroupMember fields (customer required), plus ``"is_control": True`` for a member the
    control group must hold (the version's control code and share are chosen so that exactly
    those members are in it). On PostgreSQL the version gets its partition."""
    from itertools import count

    from django.db import connection
    from django.utils import timezone

    from campaigns.loads.rules import is_control
    from campaigns.models import TargetGroup, TargetGroupMember, TargetGroupVersion

    members = [dict(m) for m in members]
    wanted = [(m["customer"].external_id, m.pop("is_control", False)) for m in members]
    code, share = campaign.code, Decimal(0)
    if any(control for _id, control in wanted):
        share = Decimal(100) if all(control for _id, control in wanted) else Decimal(50)
        code = next(
            salt
            for salt in (f"{campaign.code}~{n}" for n in count())
            if all(is_control(ext, salt, share) == control for ext, control in wanted)
        )
    group, _ = TargetGroup.objects.get_or_create(campaign=campaign)
    version = TargetGroupVersion.objects.create(
        target_group=group,
        activated_at=timezone.now(),
        member_count=len(members),
        control_code=code,
        control_share=share,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE TABLE campaigns_targetgroupmember_v{version.pk} PARTITION OF campaigns_targetgroupmember"
                f" FOR VALUES IN ({version.pk})"
            )
    TargetGroupMember.objects.bulk_create(TargetGroupMember(version=version, **m) for m in members)
    group.active_version = version
    group.save(update_fields=["active_version"])
    return group
