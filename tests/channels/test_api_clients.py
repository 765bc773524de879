"""API clients and their keys: hashed, shown once, expiring, rotated, scoped to channel kinds,
issued by administrators only, throttled per client."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind
from channels.api.auth import ApiKeyAuthentication
from channels.api.clients import revoke_keys, rotate_key
from channels.demo import build_api_client
from channels.models import ApiClient, ApiKey
from cvm_portal.roles import Role, roles_of
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/channels/apiclient/add/"


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def ask(client: APIClient, kind: str = "web", customer_id: str = "C0042"):
    return client.post(
        "/api/v1/decisions/", {"customer_id": customer_id, "channel_kind": kind}, format="json"
    )


@pytest.fixture
def customer():
    return CustomerFactory(external_id="C0042")


def add_form(name: str, kinds: list[str]) -> dict:
    return {
        "name": name,
        "channel_kinds": kinds,
        "keys-TOTAL_FORMS": "0",
        "keys-INITIAL_FORMS": "0",
        "keys-MIN_NUM_FORMS": "0",
        "keys-MAX_NUM_FORMS": "1000",
    }


def test_the_database_holds_only_a_hash_of_a_key():
    client, key = api_client()
    prefix, secret = key.split(".")
    row = ApiKey.objects.get(client=client)
    assert row.prefix == prefix and row.hashed_key.startswith("sha512$$")
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM channels_apikey")
        stored = " ".join(str(value) for found in cur.fetchall() for value in found)
    assert secret not in stored and key not in stored


def test_a_client_gets_a_service_account_that_cannot_sign_in():
    client, _key = api_client("Web shop")
    user = client.user
    assert user.username == "api-web-shop" and not user.has_usable_password()
    assert roles_of(user) == {Role.DIGITAL_CHANNEL}


def test_an_administrator_creates_a_client_and_sees_its_key_once(client, make_user, customer):
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.post(ADD_URL, add_form("Mobile app", ["app", "web"]))
    assert page.status_code == 200, page.content.decode()[:2000]
    shown = re.search(r'<code class="api-key">([^<]+)</code>', page.content.decode())[1]
    created = ApiClient.objects.get(name="Mobile app")
    assert created.channel_kinds == ["web", "app"]
    assert ask(keyed(shown), "app").status_code == 201
    # Never again: not on the client's page, not in a message, the session or a cookie.
    again = client.get(f"/admin/channels/apiclient/{created.pk}/change/").content.decode()
    assert shown not in again and created.keys.get().prefix in again
    assert shown not in str(dict(client.session)) and shown not in str(client.cookies)


def test_assisted_kinds_cannot_be_given_to_a_client(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.post(ADD_URL, add_form("Sneaky store", ["store", "web"]))
    assert page.status_code == 200
    assert "agents work these kinds in the console" in page.content.decode()
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize("role", [Role.CVM_MANAGER, Role.AGENT, Role.TRAINER])
def test_only_administrators_issue_keys(client, make_user, role):
    given_a_client, _key = api_client()
    client.force_login(make_user(role))
    assert client.post(ADD_URL, add_form("Mobile app", ["app"])).status_code in (302, 403)
    assert client.get("/admin/channels/apiclient/").status_code in (302, 403)
    assert client.get("/admin/channels/apikey/").status_code in (302, 403)
    rotate = client.post(
        "/admin/channels/apiclient/",
        {"action": "rotate", "_selected_action": [given_a_client.pk]},
    )
    assert rotate.status_code in (302, 403)
    assert list(ApiClient.objects.values_list("name", flat=True)) == ["web-shop"]
    assert ApiKey.objects.count() == 1


def test_the_libraries_own_unscoped_keys_are_not_in_the_admin(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get("/admin/rest_framework_api_key/apikey/").status_code == 404


def test_expired_revoked_and_unknown_keys_get_401(customer):
    given, key = api_client()
    assert ask(keyed(key)).status_code == 201
    ApiKey.objects.filter(client=given).update(expiry_date=timezone.now() - timedelta(seconds=1))
    expired = ask(keyed(key))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]

    other, other_key = api_client("chatbot", kinds=[ChannelKind.CHATBOT])
    ApiKey.objects.filter(client=other).update(revoked=True)
    revoked = ask(keyed(other_key), "chatbot")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]

    prefix, secret = other_key.split(".")
    assert ask(keyed(f"{prefix}.{secret[::-1]}"), "chatbot").status_code == 401
    assert ask(keyed("nonsense")).status_code == 401


def test_a_disabled_service_account_disables_the_client(customer):
    given, key = api_client()
    given.user.is_active = False
    given.user.save()
    assert ask(keyed(key)).status_code == 401


def test_a_key_scoped_to_web_cannot_get_ussd_decisions(customer):
    _given, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    refused = ask(keyed(key), "ussd")
    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "This API client may not ask for “ussd”; it may ask for: web."
    )
    assert ask(keyed(key), "web").status_code == 201


def test_an_outcome_is_refused_once_the_client_lost_that_channel_kind():
    customer = CustomerFactory(external_id="C0042", consent_app_push=True, consent_marketing=True)
    offer = OfferFactory(channel_kinds=[ChannelKind.APP])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.APP]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    given, key = api_client("app-backend", kinds=[ChannelKind.APP, ChannelKind.WEB])
    offers = ask(keyed(key), "app").json()["offers"]
    assert offers, "the customer should get the app offer"
    given.channel_kinds = [ChannelKind.WEB]
    given.save()
    refused = keyed(key).post(
        "/api/v1/outcomes/",
        {"presentation_id": offers[0]["presentation_id"], "outcome": "accepted"},
        format="json",
    )
    assert refused.status_code == 403 and "may not ask for “app”" in refused.json()["detail"]


def test_an_agents_session_gets_403_on_decisions(client, make_user, customer):
    client.force_login(make_user(Role.AGENT))
    answer = client.post(
        "/api/v1/decisions/",
        {"customer_id": "C0042", "channel_kind": "store"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert "Agents use the console" in answer.json()["detail"]


def test_the_api_contract_is_for_signed_in_staff_and_for_api_clients_with_their_key(
    client, make_user
):
    # Nobody signed in and no key: 401, saying how to authenticate
    anonymous = client.get("/api/schema/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Api-Key"
    # An agent is signed in, but the contract is not theirs
    client.force_login(make_user(Role.AGENT))
    assert client.get("/api/schema/").status_code == 403
    assert client.get("/api/docs/").status_code == 403
    client.force_login(make_user(Role.CVM_MANAGER))
    schema = client.get("/api/schema/").content.decode()
    assert "ApiKey" in schema and "Authorization" in schema
    assert client.get("/api/docs/").status_code == 200
    # An integrator fetches it with the client's key, and a revoked key is refused
    given, key = api_client()
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    served = caller.get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert "/api/v1/decisions/" in json.loads(served.content)["paths"]
    revoke_keys(keys=ApiKey.objects.filter(client=given))
    assert caller.get("/api/schema/", {"format": "json"}).status_code == 401


def test_rotating_keeps_the_old_key_for_the_grace_period_only(customer, settings):
    settings.CVM_API_KEY_GRACE_HOURS = 24
    settings.CVM_API_KEY_DAYS = 90
    given, old = api_client()
    now = timezone.now()
    row, new = rotate_key(client=given, now=now)
    assert row.expiry_date == now + timedelta(days=90)
    assert ApiKey.objects.get(prefix=old.split(".")[0]).expiry_date == now + timedelta(hours=24)
    assert ask(keyed(old)).status_code == ask(keyed(new)).status_code == 201
    # A rotation a day ago: the grace period is over, only the newer keys work.
    _row, newest = rotate_key(client=given, now=now - timedelta(hours=25))
    assert ask(keyed(old)).status_code == 401 and ask(keyed(new)).status_code == 401
    assert ask(keyed(newest)).status_code == 201


def test_the_admins_rotate_action_shows_the_new_keys_once(client, make_user, customer):
    given, old = api_client()
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.post(
        "/admin/channels/apiclient/", {"action": "rotate", "_selected_action": [given.pk]}
    )
    assert page.status_code == 200
    shown = re.search(r'<code class="api-key">([^<]+)</code>', page.content.decode())[1]
    assert shown != old and ask(keyed(shown)).status_code == 201
    assert ask(keyed(old)).status_code == 201  # still, for the grace period


def test_the_admin_revokes_a_single_leaked_key(client, make_user, customer):
    given, key = api_client()
    _row, newer = rotate_key(client=given)
    client.force_login(make_user(Role.ADMINISTRATOR))
    leaked = ApiKey.objects.get(prefix=key.split(".")[0])
    client.post("/admin/channels/apikey/", {"action": "revoke", "_selected_action": [leaked.pk]})
    assert ask(keyed(key)).status_code == 401 and ask(keyed(newer)).status_code == 201


def test_over_its_rate_a_client_gets_429_with_retry_after(customer, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "channel": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    _given, key = api_client()
    _other, other_key = api_client("app-backend", kinds=[ChannelKind.APP])
    assert [ask(keyed(key)).status_code for _ in range(2)] == [201, 201]
    throttled = ask(keyed(key))
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    assert ask(keyed(other_key), "app").status_code == 201  # per client, not for everybody


def test_authenticating_a_key_costs_one_query(django_assert_num_queries):
    _given, key = api_client()
    request = Request(RequestFactory().post("/", HTTP_AUTHORIZATION=f"Api-Key {key}"))
    with django_assert_num_queries(1):
        user, api_key = ApiKeyAuthentication().authenticate(request)
        assert user.username == "api-web-shop" and api_key.client.channel_kinds == ["web"]


def test_each_demo_run_prints_a_new_key_and_ends_the_last_one(customer):
    first = build_api_client()
    second = build_api_client()
    assert ask(keyed(first)).status_code == 401
    assert ask(keyed(second), "ussd").status_code == 201


def test_the_client_list_counts_each_clients_working_keys(client, make_user, customer):
    given, _key = api_client()
    rotate_key(client=given)
    api_client("app-backend", kinds=[ChannelKind.APP])
    ApiKey.objects.filter(client__name="app-backend").update(revoked=True)
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.get("/admin/channels/apiclient/").content.decode()
    counts = re.findall(r'<td class="field-working_keys">(\d+)</td>', page)
    assert sorted(counts) == ["0", "2"]
