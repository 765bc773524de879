"""Removing a demo built once per module (outside the per-test transactions), so the tests that
follow start from the migrated database again."""

from django.apps import apps
from django.contrib.auth import get_user_model

from campaigns.models import (
    Campaign,
    Customer,
    Initiative,
    LoadRun,
    Offer,
    OfferContent,
    Product,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)
from channels.models import AgentProfile, BonusPlan, DigitalCapacity, Handover, Site
from training.models import Guide


def remove_demo() -> None:
    Handover.objects.all().delete()  # the demo's chatbot hand-over holds its customer and bot
    for model in (Initiative, Guide, LoadRun, TargetGroupMember, TargetGroupVersion, TargetGroup):
        model.objects.all().delete()
    BonusPlan.objects.all().delete()
    for model in (Campaign, OfferContent, Offer, Product, Customer, AgentProfile, Site):
        model.objects.all().delete()
    DigitalCapacity.objects.all().delete()  # the only capacity rows not owned by a site
    get_user_model().objects.all().delete()
    # The change history (django-simple-history) keeps rows of deleted objects by design.
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()
