"""The demo command: realistic, deterministic, safe to re-run, never in production."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.choices import CampaignStatus, LoadStatus
from campaigns.models import (
    Campaign,
    Customer,
    LoadRun,
    Offer,
    OfferContent,
    Product,
    TargetGroup,
    TargetGroupMember,
)
from channels.choices import SiteKind
from channels.models import AgentProfile, BonusPlan, Site
from tests.demo_cleanup import remove_demo
from training import demo as training_demo
from training.models import Assignment, Guide

pytestmark = pytest.mark.django_db

LOGINS = {
    "store1": "/console/",
    "callcentre1": "/console/",
    "outbound1": "/outbound/",
    "lead1": "/team/",
    "cvm1": "/cvm/",
    "cvm2": "/cvm/",
    "trainer1": "/training/",
    "digital1": "/training/mine/",
    "admin": "/admin/",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo once for this module (it takes seconds), and remove it afterwards."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("demo", stdout=out)
        yield {"output": out.getvalue()}
        remove_demo()


def test_demo_publishes_a_guide_with_a_quiz_for_a_live_campaign_and_assigns_it(demo):
    guide = Guide.objects.get(title_en=training_demo.TITLE)
    assert guide.current_version is not None and len(guide.current_version.quiz) == 2
    assert [c.code for c in guide.campaigns.all()] == ["XS-FIBRE"]
    assert Assignment.objects.filter(guide=guide, user__username="store1").exists()
    assert not Assignment.objects.filter(guide=guide, user__username="outbound1").exists()


def test_demo_builds_the_promised_world(demo):
    kinds = list(Site.objects.values_list("kind", flat=True))
    assert kinds.count(SiteKind.STORE) >= 3
    assert kinds.count(SiteKind.INBOUND_CENTRE) >= 1
    assert kinds.count(SiteKind.AGENCY) >= 1
    assert AgentProfile.objects.count() == 30
    assert Customer.objects.count() == 20_000
    assert Product.objects.count() == 9
    assert Offer.objects.count() == 13
    assert Campaign.objects.count() == 7
    # Customers hold products, from the snapshot's products column; one campaign is always on.
    assert Customer.objects.filter(holdings__icontains="FIBRE-1G").count() > 5_000
    assert Campaign.objects.live().filter(eligibility__isnull=False).count() == 1
    statuses = set(Campaign.objects.values_list("status", flat=True))
    assert {CampaignStatus.LIVE, CampaignStatus.DRAFT, CampaignStatus.IN_REVIEW} <= statuses
    assert Campaign.objects.live().count() >= 3


def test_demo_loads_its_warehouse_files_through_the_real_load_path(demo):
    statuses = list(LoadRun.objects.order_by("pk").values_list("file_name", "status"))
    assert statuses[0][0].startswith("customers__") and statuses[0][1] == LoadStatus.SUCCEEDED
    assert sum(1 for _name, status in statuses if status == LoadStatus.SUCCEEDED) == 8
    assert any(name.startswith("contacts__") for name, _s in statuses)  # the service contacts
    assert [name for name, status in statuses if status == LoadStatus.FAILED] == [
        next(name for name, _s in statuses if "WB-FAMILY" in name)
    ]
    fibre = TargetGroup.objects.get(campaign__code="XS-FIBRE")
    assert fibre.versions.count() == 2
    assert TargetGroupMember.objects.filter(version=fibre.active_version).count() == 2800
    # The failed file left WB-FAMILY without a live version, and its rejects are kept.
    family = TargetGroup.objects.get(campaign__code="WB-FAMILY")
    assert family.active_version is None
    # About 4 % of its members are unknown customers (the file's content changes with the date).
    run = family.load_runs.get()
    assert run.rows_total == 1500 and 0.01 * 1500 < run.rows_rejected < 0.1 * 1500
    assert run.rejects.count() == run.rows_rejected
    assert set(run.rejects.values_list("reason", flat=True)) == {"unknown_customer"}


def test_demo_data_passes_the_models_own_validation(demo):
    for model in (Product, Offer, OfferContent, Campaign, Site):
        for obj in model.objects.all():
            obj.full_clean()
    for customer in Customer.objects.order_by("?")[:200]:
        customer.full_clean()


def test_demo_prints_one_login_per_role(demo):
    for username in LOGINS:
        assert username in demo["output"]
    assert "demo-password" in demo["output"]


@pytest.mark.parametrize(("username", "workspace"), LOGINS.items())
def test_every_demo_login_signs_in_and_lands_on_its_workspace(demo, client, username, workspace):
    assert client.login(username=username, password="demo-password")
    response = client.get("/")
    assert response.url == workspace
    assert client.get(workspace).status_code == 200


def _snapshot() -> dict:
    return {
        "customers": list(
            Customer.objects.order_by("external_id").values_list(
                "external_id", "phone", "name", "segment"
            )
        ),
        "campaigns": list(
            Campaign.objects.order_by("code").values_list("code", "status", "starts_at")
        ),
        "users": get_user_model().objects.count(),
        "contents": OfferContent.objects.count(),
        "load_runs": LoadRun.objects.count(),
        "members": TargetGroupMember.objects.count(),
    }


def test_demo_can_be_run_again_without_changing_anything(demo):
    before = _snapshot()
    call_command("demo")
    after = _snapshot()
    assert after == before


def test_demo_refuses_in_production_mode(demo, settings):
    settings.CVM_PRODUCTION = True
    get_user_model().objects.filter(username="store1").update(password="!unusable")
    with pytest.raises(CommandError, match="refuses to run in production mode"):
        call_command("demo")
    # Nothing was touched: the published password was not put back.
    assert get_user_model().objects.get(username="store1").password == "!unusable"


def test_demo_has_a_bonus_plan_for_this_month(demo):
    from channels.bonus.periods import today

    plan = BonusPlan.objects.current(today()).get()
    assert plan.rules.count() == 2 and plan.tiers.count() == 1


def test_demo_leaves_a_chatbot_hand_over_waiting_for_an_inbound_agent(demo, client):
    from channels.models import Handover, HandoverStatus

    waiting = Handover.objects.get()
    assert waiting.status == HandoverStatus.WAITING
    assert waiting.customer.external_id == "C0000004"
    assert "sign in as callcentre1" in demo["output"]
    assert client.login(username="callcentre1", password="demo-password")
    assert "Roaming in Spain" in client.get("/console/handovers/").content.decode()
