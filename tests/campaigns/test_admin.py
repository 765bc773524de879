from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Campaign, Offer
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    AgentProfileFactory,
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each():
    offer = OfferFactory()
    OfferContentFactory(offer=offer)
    CampaignFactory(offers=[offer])
    CustomerFactory()
    AgentProfileFactory()


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin, f"admin:{model._meta.app_label}_{model._meta.model_name}"


def test_every_admin_list_add_and_change_page_loads(client, make_user, one_of_each, rf):
    administrator = make_user(Role.ADMINISTRATOR)
    client.force_login(administrator)
    request = rf.get("/admin/")
    request.user = administrator
    assert client.get("/admin/").status_code == 200
    for model, model_admin, info in _admin_urls():
        assert client.get(reverse(f"{info}_changelist")).status_code == 200, info
        # Records written by the portal only (audit trail, loads) have no add page.
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert client.get(reverse(f"{info}_add")).status_code == expected, info
        obj = model._default_manager.first()
        if obj is not None:
            assert client.get(reverse(f"{info}_change", args=[obj.pk])).status_code == 200, info


def test_every_admin_list_searches_and_filters(client, make_user, one_of_each):
    client.force_login(make_user(Role.ADMINISTRATOR))
    for _model, model_admin, info in _admin_urls():
        url = reverse(f"{info}_changelist")
        if model_admin.search_fields:
            assert client.get(url, {"q": "x"}, follow=True).status_code == 200, info


def test_a_cvm_manager_edits_campaigns_but_not_users_or_the_audit_trail(
    client, make_user, one_of_each
):
    client.force_login(make_user(Role.CVM_MANAGER))
    assert client.get("/admin/campaigns/campaign/").status_code == 200
    assert client.get("/admin/campaigns/offer/add/").status_code == 200
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/cvm_portal/auditevent/").status_code == 403


def _offer_form(**overrides):
    now = timezone.localtime()
    data = {
        "code": "DATA-20",
        "product": ProductFactory().pk,
        # The texts' English fields (campaigns/translation.py); Polish may stay empty.
        "title_en": "20 GB",
        "benefit_en": "More data",
        "value": "15.00",
        "valid_from_0": now.strftime("%Y-%m-%d"),
        "valid_from_1": "00:00:00",
        "valid_until_0": (now + timedelta(days=30)).strftime("%Y-%m-%d"),
        "valid_until_1": "00:00:00",
        "channel_kinds": ["store", "ussd"],
        "contents-TOTAL_FORMS": "1",
        "contents-INITIAL_FORMS": "0",
        "contents-MIN_NUM_FORMS": "0",
        "contents-MAX_NUM_FORMS": "1000",
        "contents-0-channel_kind": "ussd",
        "contents-0-agent_script_en": "",
        "contents-0-short_text_en": "Pakiet 20 GB za 15 zł. " * 5,
        "contents-0-banner_title_en": "",
    }
    data.update(overrides)
    return data


def test_admin_says_a_ussd_text_is_too_long_and_why(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post("/admin/campaigns/offer/add/", _offer_form())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Too long for USSD/SMS" in content
    assert "outside the GSM alphabet" in content
    assert not Offer.objects.exists()


def test_admin_saves_an_offer_with_its_channel_content(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/offer/add/",
        _offer_form(**{"contents-0-short_text_en": "20 GB for 15 PLN. Dial *100*20#"}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    offer = Offer.objects.get(code="DATA-20")
    assert offer.channel_kinds == ["store", "ussd"]
    assert offer.contents.get().channel_kind == ChannelKind.USSD


def _campaign_form(*, starts: str, ends: str, **overrides) -> dict:
    data = {
        "code": "RET-1",
        "name": "Retention",
        "objective": "retention",
        "starts_at_0": starts,
        "starts_at_1": "00:00:00",
        "ends_at_0": ends,
        "ends_at_1": "00:00:00",
        "channel_kinds": ["store"],
        "priority_weight": "1",
        "control_share": "10",
        "cooldown_days": "30",
        "propensity_source": "file",  # as the add form prefills them
        "exploration_share": "0",
    }
    data.update(overrides)
    return data


def test_admin_says_a_campaign_must_end_after_it_starts(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/campaign/add/",
        _campaign_form(starts="2026-12-01", ends="2026-11-01"),
    )
    assert response.status_code == 200
    assert "The campaign must end after it starts" in response.content.decode()
    assert not Campaign.objects.exists()


def test_admin_refuses_a_control_share_over_100(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/campaign/add/",
        _campaign_form(starts="2026-11-01", ends="2026-12-01", control_share="120"),
    )
    assert "less than or equal to 100" in response.content.decode()


def test_admin_actions_move_campaigns_through_their_lifecycle(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    ready = CampaignFactory(status=CampaignStatus.APPROVED, offers=[OfferFactory()])
    draft = CampaignFactory(status=CampaignStatus.DRAFT)
    response = client.post(
        "/admin/campaigns/campaign/",
        {"action": "make_live", "_selected_action": [ready.pk, draft.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 campaign is now Live" in content
    assert f"Campaign {draft.code} is Draft and cannot become Live" in content
    ready.refresh_from_db()
    draft.refresh_from_db()
    assert (ready.status, draft.status) == ("live", "draft")


def test_opening_or_searching_customers_in_the_admin_is_audit_logged(client, make_user):
    manager = make_user(Role.CVM_MANAGER)
    customer = CustomerFactory(phone="+48501234567")
    client.force_login(manager)
    response = client.get("/admin/campaigns/customer/", {"q": "501 234 567"}, follow=True)
    assert customer.external_id in response.content.decode()
    client.get(f"/admin/campaigns/customer/{customer.pk}/change/")
    events = list(
        AuditEvent.objects.filter(user=manager)
        .order_by("at", "pk")
        .values_list("action", "object_id")
    )
    assert events == [("search", ""), ("view", str(customer.pk))]


def test_admin_refuses_offers_that_cannot_run_in_the_campaigns_channels_or_period(
    client, make_user
):
    client.force_login(make_user(Role.CVM_MANAGER))
    ussd_only = OfferFactory(code="USSD-ONLY", channel_kinds=[ChannelKind.USSD])
    expired = OfferFactory(
        code="EXPIRED",
        valid_from=timezone.now() - timedelta(days=90),
        valid_until=timezone.now() - timedelta(days=60),
    )
    now = timezone.localtime()
    response = client.post(
        "/admin/campaigns/campaign/add/",
        _campaign_form(
            starts=now.strftime("%Y-%m-%d"),
            ends=(now + timedelta(days=30)).strftime("%Y-%m-%d"),
            offers=[ussd_only.pk, expired.pk],
        ),
    )
    content = response.content.decode()
    assert "USSD-ONLY is not allowed in any of this campaign" in content
    assert "EXPIRED is not valid at any time during the campaign" in content
    assert not Campaign.objects.exists()
