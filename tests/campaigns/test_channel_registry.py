"""The channel registry (issue 19): channels are data. The nine built-in channels are seeded by
the migration; a channel an administrator adds in the admin is targeted, gets content, is served
by the decision API, needs its consent and is counted in results, without a code change or a
migration."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns import channel_registry
from campaigns.choices import CampaignStatus, ChannelKind, Consent
from campaigns.models import (
    Campaign,
    Channel,
    ChannelCost,
    DailyExecution,
    Grain,
    OfferContent,
    Response,
)
from campaigns.results import rollups
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
    user_with_role,
)

pytestmark = pytest.mark.django_db

SOCIAL = {
    "code": "social",
    "name_en": "Social media",
    "name_pl": "Media społecznościowe",
    "position": "100",
    "active": "on",
    "formats": ["sms", "push_title"],
    "limits": '{"sms": 120}',
    "consent": Consent.DIGITAL,
    "costs-TOTAL_FORMS": "1",
    "costs-INITIAL_FORMS": "0",
    "costs-MIN_NUM_FORMS": "0",
    "costs-MAX_NUM_FORMS": "1000",
    "costs-0-effective_from": "2026-01-01",
    "costs-0-cost_per_contact": "0.05",
    "costs-0-note": "",
}


@pytest.fixture
def admin_adds_social(client, make_user):
    """An administrator adds "Social media" in the admin: a real POST of the add form."""
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(reverse("admin:campaigns_channel_add"), SOCIAL)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Channel.objects.get(code="social")


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def decide(api, kind="social", customer_id="S-1"):
    body = {"customer_id": customer_id, "channel_kind": kind}
    return api.post("/api/v1/decisions/", body, format="json")


# --- the nine ------------------------------------------------------------------------------------


def test_the_migration_seeds_the_nine_channels_with_their_codes_and_attributes():
    seeded = {c.code: c for c in Channel.objects.all()}
    assert list(seeded) == list(ChannelKind.values)
    assert {c for c, ch in seeded.items() if ch.assisted} == {
        "store", "inbound_call", "outbound_call", "field",
    }  # fmt: skip
    assert seeded["ussd"].formats == ["ussd", "sms"] and seeded["ussd"].consent == Consent.SMS
    assert seeded["app"].consent == Consent.APP_PUSH and seeded["web"].consent == Consent.DIGITAL
    assert (seeded["field"].name_en, seeded["field"].name_pl) == ("Field", "Sprzedaż terenowa")
    assert channel_registry.codes() == list(ChannelKind.values)
    assert channel_registry.label("inbound_call") == "Inbound call"
    for kind, consent in {"store": "consent_marketing", "ivr": "consent_marketing"}.items():
        assert channel_registry.consent_for(kind) == consent


def test_the_registry_holds_the_built_in_channels_as_seeded():
    held = {c.code: c for c in channel_registry.channels()}
    for built_in in channel_registry.BUILT_IN:
        c = held[built_in.code]
        assert (c.assisted, c.formats, c.consent) == (
            built_in.assisted,
            built_in.formats,
            built_in.consent,
        )


def test_an_unknown_code_is_shown_as_it_is_never_an_error():
    assert channel_registry.label("fax") == "fax"
    assert channel_registry.get("fax") is None
    assert channel_registry.content_fields("fax") == ("agent_script",)


# --- a channel added in the admin, served end to end -------------------------------------------


def test_a_channel_added_in_the_admin_is_served_end_to_end(admin_adds_social, client):
    social = admin_adds_social
    assert (social.name_en, social.name_pl, social.assisted) == (
        "Social media",
        "Media społecznościowe",
        False,
    )
    assert social.formats == ["sms", "push_title"] and social.limits == {"sms": 120}
    assert ChannelCost.objects.get(channel_kind=social).cost_per_contact == Decimal("0.05")
    assert "social" in channel_registry.active_codes()

    # No migration is pending for it.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)

    # Campaigns and offers target it: model validation accepts it.
    offer = OfferFactory(code="SOC-1", channel_kinds=["social"])
    offer.full_clean()
    content = OfferContent(
        offer=offer, channel_kind="social", sms_text="20 GB for 15 PLN", push_title="20 GB"
    )
    content.full_clean()
    content.save()
    campaign = CampaignFactory(
        code="SOCIAL", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=["social"]
    )
    campaign.full_clean()
    consenting = CustomerFactory(external_id="S-1", consent_digital=True)
    refusing = CustomerFactory(external_id="S-2", consent_digital=False, consent_sms=True)
    target_group(
        campaign,
        [{"customer": consenting, "propensity": 0.4}, {"customer": refusing, "propensity": 0.4}],
    )

    # The decision API serves it, with the texts of its formats.
    gateway, key = api_client("social-app", kinds=["social"])
    gateway.full_clean()
    api = keyed(key)
    response = decide(api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel_kind"] == "social"
    [served] = body["offers"]
    assert served["offer_code"] == "SOC-1"
    assert served["content"] == {"sms_text": "20 GB for 15 PLN", "push_title": "20 GB"}

    # Its consent applies: no digital consent, no offer.
    assert decide(api, customer_id="S-2").json()["offers"] == []

    # An outcome reported for it is counted in the results.
    outcome = {"presentation_id": served["presentation_id"], "outcome": "accepted"}
    assert api.post("/api/v1/outcomes/", outcome, format="json").status_code == 201
    assert Response.objects.get().channel_kind == "social"
    today = timezone.localdate()
    rollups.refresh_days(first=today - timedelta(days=1), last=today)
    counted = DailyExecution.objects.filter(channel_kind="social", grain=Grain.CHANNEL)
    assert sum(row.accepted for row in counted) == 1

    # Its name shows in the results, drilled down by channel, without an error.
    client.force_login(_manager())
    page = client.get(
        reverse("campaigns:campaign_results", args=[campaign.pk]),
        {"since": (today - timedelta(days=1)).isoformat(), "until": today.isoformat()},
    )
    assert page.status_code == 200
    assert "Social media" in page.content.decode()


def _manager():
    return user_with_role(Role.CVM_MANAGER)


def test_the_campaign_form_offers_the_new_channel(admin_adds_social, client):
    page = client.get(reverse("admin:campaigns_campaign_add")).content.decode()
    assert 'value="social"' in page and "Social media" in page


def test_a_tighter_limit_of_the_channel_applies_to_its_content(admin_adds_social):
    offer = OfferFactory(code="SOC-2", channel_kinds=["social"])
    content = OfferContent(offer=offer, channel_kind="social", sms_text="x" * 121)
    with pytest.raises(ValidationError, match="121 of 120"):
        content.full_clean()


def test_an_unknown_channel_is_refused_with_a_clear_message():
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    response = decide(keyed(key), kind="fax")
    assert response.status_code == 400
    message = response.json()["channel_kind"][0]
    assert "fax" in message and "not a valid choice" in message and "web" in message
    offer = OfferFactory(code="FAX-1", channel_kinds=["fax"])
    with pytest.raises(ValidationError, match="Unknown channel kind"):
        offer.full_clean()
    campaign = Campaign(channel_kinds=["fax"])
    with pytest.raises(ValidationError, match="fax"):
        campaign.full_clean()


def test_a_deactivated_channel_is_refused(admin_adds_social, client):
    _gateway, key = api_client("social-app", kinds=["social"])
    CustomerFactory(external_id="S-1", consent_digital=True)
    api = keyed(key)
    assert decide(api).status_code == 201
    changelist = reverse("admin:campaigns_channel_changelist")
    client.post(changelist, {"action": "deactivate", "_selected_action": ["social"]})
    assert Channel.objects.get(code="social").active is False
    response = decide(api)
    assert response.status_code == 400
    assert "switched off" in response.json()["channel_kind"][0]
    assert "social" not in channel_registry.active_codes()
    assert channel_registry.label("social") == "Social media"  # still named in results


def test_a_channel_in_use_is_not_deleted(admin_adds_social, client):
    OfferContentFactory(
        offer=OfferFactory(code="SOC-3", channel_kinds=["social"]),
        channel_kind="social",
        agent_script="",
        sms_text="Hi",
    )
    url = reverse("admin:campaigns_channel_delete", args=["social"])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert Channel.objects.filter(code="social").exists()
    assert "cannot be deleted" in response.content.decode()
    assert "Deactivate it instead" in response.content.decode()


def test_a_channel_nothing_uses_can_be_deleted(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    Channel.objects.create(code="wearable", name="Wearable", consent=Consent.APP_PUSH)
    assert "wearable" in channel_registry.codes()
    url = reverse("admin:campaigns_channel_delete", args=["wearable"])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Channel.objects.filter(code="wearable").exists()
    assert "wearable" not in channel_registry.codes()


def test_the_code_cannot_change_once_saved(admin_adds_social, client):
    page = client.get(reverse("admin:campaigns_channel_change", args=["social"])).content.decode()
    assert 'name="code"' not in page


def test_a_channel_code_must_be_a_slug(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(reverse("admin:campaigns_channel_add"), {**SOCIAL, "code": "Set Top"})
    assert response.status_code == 200
    assert not Channel.objects.filter(name_en="Social media").exists()


def test_other_processes_see_a_change_within_seconds(monkeypatch):
    from django.core.cache import cache

    assert "smartwatch" not in channel_registry.codes()
    # Another process adds a channel: its signal bumps the shared stamp, not this process's.
    Channel.objects.bulk_create(
        [Channel(code="smartwatch", name="Smartwatch", consent=Consent.APP_PUSH)]
    )
    cache.set(channel_registry.STAMP_KEY, "another-process", None)
    assert "smartwatch" not in channel_registry.codes()  # not read again before it is time
    clock = [channel_registry.time.monotonic() + channel_registry.STAMP_CHECK_EVERY + 1]
    monkeypatch.setattr(channel_registry.time, "monotonic", lambda: clock[0])
    assert "smartwatch" in channel_registry.codes()


def test_a_decision_asks_the_database_nothing_about_the_channel(django_assert_num_queries):
    channel_registry.codes()  # loaded once
    with django_assert_num_queries(0):
        for _ in range(100):
            assert channel_registry.consent_for("web") == Consent.DIGITAL
            assert "web" in channel_registry.active_codes()


def test_the_channel_list_shows_formats_consent_and_todays_cost(admin_adds_social, client):
    page = client.get(reverse("admin:campaigns_channel_changelist")).content.decode()
    assert "Social media" in page and "SMS (120)" in page and "0.05" in page
    assert "agent script" in page  # the assisted built-in channels


def test_a_cvm_manager_sees_the_channels_but_does_not_change_them(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    assert client.get(reverse("admin:campaigns_channel_changelist")).status_code == 200
    assert client.get(reverse("admin:campaigns_channel_add")).status_code == 403
