"""The USSD gateway as Africa's Talking calls it: a form in, ``CON``/``END`` plain text out.

A caller dials, sees up to three offers, opens one, accepts or says "not now"; the gateway
repeats requests, the cache forgets sessions, strangers call without a key.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Outcome, ProductFamily
from campaigns.models import ContactPolicy, Decision, Response
from channels.models import UssdSession
from cvm_portal.models import AuditEvent
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    ProductFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/ussd/"
PHONE = "+48501234567"
OFFERS = [  # code, family, value, title, USSD short text
    ("DATA-20", ProductFamily.DATA_ADDON, 40, "20 GB for 15 PLN", "20 GB of data for 15 PLN a month."),
    ("FIBRE-1G", ProductFamily.BROADBAND, 30, "Fibre 1 Gb/s", "Fibre 1 Gb/s at home, first 3 months free."),
    ("TV-FAM", ProductFamily.TV, 20, "TV Family", "120 channels for the family, 25 PLN a month."),
    ("ROAM-EU", ProductFamily.ROAMING, 10, "Roaming EU", "Roaming in the EU, 10 GB for 20 PLN."),
]  # fmt: skip


def ussd_world(phone: str = PHONE, *, others: int = 0, **customer) -> dict:
    """A customer with four USSD offers in a live campaign (values 40…10, so the decision
    ranks them in this order), a policy that gives digital channels three, and the gateway's
    API client (allowed ussd) with its key. ``others``: more members of the campaign, whose
    numbers are in ``phones`` (after an accepted offer the campaign's cooldown holds: another
    session of the same caller gets no offers)."""
    ContactPolicy.objects.update_or_create(pk=1, defaults={"digital_offers": 3})
    fields = {"external_id": "C0042", "consent_sms": True, "consent_marketing": True, **customer}
    person = CustomerFactory(phone=phone, **fields)
    offers = []
    for code, family, value, title, text in OFFERS:
        offer = OfferFactory(
            code=code,
            title=title,
            value=Decimal(value),
            product=ProductFactory(family=family),
            channel_kinds=[ChannelKind.USSD],
        )
        OfferContentFactory(
            offer=offer, channel_kind=ChannelKind.USSD, agent_script="", short_text=text
        )
        offers.append(offer)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=offers, channel_kinds=[ChannelKind.USSD]
    )
    members = [person] + [
        CustomerFactory(phone=f"+4850200{n:04d}", consent_sms=True) for n in range(others)
    ]
    target_group(campaign, [{"customer": member, "propensity": 0.5} for member in members])
    gateway, key = api_client("ussd-gateway", kinds=[ChannelKind.USSD])
    return {
        "customer": person,
        "phones": [m.phone for m in members[1:]],
        "offers": offers,
        "gateway": gateway,
        "key": key,
    }


def dial(world, text="", *, session="ATUid_1", phone=PHONE, client=None, **extra):
    """One callback of the gateway, with the key in the URL as Africa's Talking would send it."""
    form = {"sessionId": session, "serviceCode": "*384*1234#", "phoneNumber": phone, "text": text}
    return (client or Client()).post(f"{URL}?key={world['key']}", form, **extra)


def body(response) -> str:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.fixture
def world():
    return ussd_world()


def test_the_first_screen_lists_the_top_three_offers_of_a_recorded_decision(world):
    answer = body(dial(world))
    assert answer == "CON Offers for you:\n1. 20 GB for 15 PLN\n2. Fibre 1 Gb/s\n3. TV Family"
    decision = Decision.objects.get()
    assert (decision.channel_kind, decision.agent, decision.site_id) == (
        ChannelKind.USSD,
        world["gateway"].user,
        None,
    )
    assert decision.customer == world["customer"]


def test_the_caller_is_found_by_their_number_in_any_common_format_and_the_look_up_is_audited(
    world,
):
    answer = body(dial(world, phone="0048 501 234 567"))
    assert answer.startswith("CON Offers for you:")
    event = AuditEvent.objects.get(action="find")
    assert (event.user, event.detail, event.object_id) == (
        world["gateway"].user,
        "ussd",
        str(world["customer"].pk),
    )


def test_choosing_an_offer_shows_its_short_text_and_the_answers(world):
    dial(world)
    assert body(dial(world, "2")) == (
        "CON Fibre 1 Gb/s at home, first 3 months free.\n1 Accept 2 Not now 0 Back"
    )


def test_accepting_records_the_outcome_and_ends_with_thanks(world):
    dial(world)
    dial(world, "1")
    answer = body(dial(world, "1*1"))
    assert answer == "END Thank you! We have noted that you accept the offer."
    response = Response.objects.get()
    assert (response.outcome, response.offer.code, response.channel_kind, response.agent) == (
        Outcome.ACCEPTED,
        "DATA-20",
        ChannelKind.USSD,
        world["gateway"].user,
    )


def test_not_now_records_later_not_a_decline(world):
    dial(world)
    answer = body(dial(world, "3*2"))
    assert answer.startswith("END Thank you. The offer stays open")
    assert Response.objects.get().outcome == Outcome.LATER


def test_the_same_request_again_gets_the_same_screen_and_records_nothing_more(world):
    first = body(dial(world))
    assert body(dial(world)) == first
    accepted = body(dial(world, "1*1"))
    assert body(dial(world, "1*1")) == accepted
    assert Decision.objects.count() == 1
    assert Response.objects.count() == 1


def test_back_returns_to_the_menu_and_a_wrong_key_says_so(world):
    dial(world)
    assert body(dial(world, "1*0")).startswith("CON Offers for you:\n1. 20 GB")
    assert body(dial(world, "7")).startswith("CON Invalid choice. Offers for you:\n1. ")
    assert body(dial(world, "1*9")).startswith("CON Invalid choice.\n20 GB of data")
    assert body(dial(world, "1*0*2*1")) == "END Thank you! We have noted that you accept the offer."
    assert Response.objects.get().offer.code == "FIBRE-1G"


def test_an_unknown_number_ends_politely_and_the_failed_look_up_is_audited(world):
    answer = body(dial(world, phone="+48601999888"))
    assert answer.startswith("END Sorry, we could not find an account for your number.")
    assert AuditEvent.objects.filter(action="find_failed", detail="ussd").count() == 1
    assert not Decision.objects.exists()


def test_a_number_that_is_not_a_phone_number_ends_as_unknown(world):
    assert body(dial(world, phone="not a number")).startswith("END Sorry, we could not find")


@pytest.mark.parametrize(
    "customer", [{"do_not_contact": True}, {"consent_sms": False}], ids=["dnc", "no-consent"]
)
def test_do_not_contact_or_consent_withdrawn_ends_politely_with_nothing_offered(customer):
    world = ussd_world(**customer)
    answer = body(dial(world))
    assert answer == ("END You chose not to receive offers by SMS and USSD. Thank you for calling.")
    assert body(dial(world, "1*1")) == answer
    assert not Response.objects.exists()


def test_a_customer_with_no_offers_hears_so(world):
    other = CustomerFactory(phone="+48501000111", consent_sms=True)
    answer = body(dial(world, phone=other.phone, session="ATUid_2"))
    assert answer == "END There are no offers for you right now. Thank you for calling."


def test_a_session_the_cache_lost_is_read_back_from_the_database(world):
    dial(world)
    cache.clear()  # Redis restarted, or the session's key was evicted
    assert body(dial(world, "2")).startswith("CON Fibre 1 Gb/s at home")
    cache.clear()
    assert body(dial(world)).startswith("CON Offers for you:\n1. 20 GB")
    assert Decision.objects.count() == 1


def test_a_session_past_its_time_limit_ends(world, settings):
    settings.CVM_USSD_SESSION_SECONDS = 180
    dial(world)
    UssdSession.objects.update(started_at=timezone.now() - timedelta(seconds=181))
    cache.clear()  # the cache forgets it at its time limit
    assert body(dial(world, "1")) == "END Your session has ended. Please dial again."
    assert body(dial(world, "1", session="ATUid_never_started")).startswith("END Your session")


def test_the_nightly_task_deletes_session_rows_older_than_a_day_and_keeps_the_decisions(world):
    from channels.tasks import maintain_event_partitions_task

    dial(world)
    dial(world, session="ATUid_2")
    UssdSession.objects.filter(session_id="ATUid_1").update(
        started_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert maintain_event_partitions_task()["ussd_sessions_pruned"] == 1
    assert list(UssdSession.objects.values_list("session_id", flat=True)) == ["ATUid_2"]
    assert Decision.objects.count() == 2  # the decisions stay: they are the record


def test_the_screens_are_in_the_language_the_gateway_asks_for(world, settings):
    offer = world["offers"][0]
    offer.title_pl = "20 GB za 15 zł"
    offer.save()
    settings.CVM_USSD_LANGUAGE = "en"
    answer = body(dial(world, HTTP_ACCEPT_LANGUAGE="pl"))
    assert "1. 20 GB za 15 zł" in answer
    assert UssdSession.objects.get().language == "pl"


def test_without_accept_language_the_screens_are_in_the_configured_language(world, settings):
    offer = world["offers"][0]
    offer.title_pl = "20 GB za 15 zł"
    offer.save()
    settings.CVM_USSD_LANGUAGE = "pl"
    assert "1. 20 GB za 15 zł" in body(dial(world))


# --- Who may call ------------------------------------------------------------------------


def form():
    return {"sessionId": "S", "serviceCode": "*1#", "phoneNumber": PHONE, "text": ""}


def refused(response) -> str:
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_a_call_without_a_key_is_refused_in_plain_text(world):
    assert "needs an API key" in refused(Client().post(URL, form()))
    assert not AuditEvent.objects.exists()


def test_a_wrong_key_is_refused(world):
    assert "not valid" in refused(Client().post(f"{URL}?key=abc.def", form()))


def test_a_revoked_key_is_refused(world):
    world["gateway"].keys.update(revoked=True)
    refused(dial(world))


def test_a_key_of_a_client_not_allowed_ussd_is_refused(world):
    _web, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    assert "channel kind ussd" in refused(Client().post(f"{URL}?key={key}", form()))


def test_the_key_may_come_in_the_authorization_header(world):
    response = Client().post(URL, form(), HTTP_AUTHORIZATION=f"Api-Key {world['key']}")
    assert body(response).startswith("CON ")


def test_only_the_gateways_addresses_may_call_when_a_list_is_set(world, settings):
    settings.CVM_USSD_ALLOWED_IPS = ["197.248.0.0/16", "2001:db8::/32"]
    assert "CVM_USSD_ALLOWED_IPS" in refused(dial(world, REMOTE_ADDR="203.0.113.9"))
    assert body(dial(world, REMOTE_ADDR="197.248.1.20")).startswith("CON ")
    assert body(dial(world, REMOTE_ADDR="2001:db8::7")).startswith("CON ")


def test_the_gateways_address_is_read_past_the_trusted_proxies(world, settings):
    settings.CVM_USSD_ALLOWED_IPS = ["197.248.1.20"]
    settings.CVM_TRUSTED_PROXIES = 1
    proxied = {"REMOTE_ADDR": "10.0.0.2"}
    assert body(dial(world, HTTP_X_FORWARDED_FOR="197.248.1.20", **proxied)).startswith("CON")
    refused(dial(world, HTTP_X_FORWARDED_FOR="197.248.1.20, 203.0.113.9", **proxied))


def test_a_form_without_its_fields_is_a_400_naming_them(world):
    response = Client().post(f"{URL}?key={world['key']}", {"text": ""})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "sessionId: This field is required." in response.content.decode()


def test_a_json_body_is_a_415_and_get_a_405(world):
    json_post = Client().post(f"{URL}?key={world['key']}", form(), content_type="application/json")
    assert json_post.status_code == 415
    assert Client().get(f"{URL}?key={world['key']}").status_code == 405


def test_the_answer_is_plain_text_whatever_the_gateway_accepts(world):
    assert body(dial(world, HTTP_ACCEPT="application/json")).startswith("CON ")


def test_the_schema_describes_the_form_the_plain_text_answers_and_the_key():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/ussd/"]["post"]
    form_schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert form_schema["schema"]["$ref"].endswith("/UssdCallbackRequest")
    assert {code: list(r["content"]) for code, r in operation["responses"].items()} == {
        "200": ["text/plain"],
        "400": ["text/plain"],
        "403": ["text/plain"],
        "413": ["text/plain"],
        "415": ["text/plain"],
    }
    assert {"UssdKey": []} in operation["security"] and {"ApiKey": []} in operation["security"]
    assert schema["components"]["securitySchemes"]["UssdKey"]["in"] == "query"
    request = schema["components"]["schemas"]["UssdCallbackRequest"]
    assert set(request["required"]) == {"sessionId", "serviceCode", "phoneNumber"}
