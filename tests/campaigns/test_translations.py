"""Texts CVM writes kept in Polish and English: the agent reads their interface language, falls
back to the other one (marked with ``lang``), the admin edits both side by side."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from campaigns import catalogue
from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import DeclineReason, Offer, OfferContent
from channels.console.links import customer_url
from cvm_portal.roles import Role
from cvm_portal.translated import translated
from tests.campaigns.test_admin import _offer_form
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db


def _live(offer, customer, kinds):
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer], channel_kinds=kinds)
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])


@pytest.fixture
def customer():
    """A customer with a live store offer written in both languages."""
    customer = CustomerFactory(phone="+48501234567", consent_marketing=True, consent_sms=True)
    offer = OfferFactory(
        title_en="Fibre 1 Gb/s",
        title_pl="Światłowód 1 Gb/s",
        benefit_en="Twice the speed for the same price",
        benefit_pl="Dwa razy szybciej w tej samej cenie",
        channel_kinds=[ChannelKind.STORE, ChannelKind.USSD],
    )
    OfferContentFactory(
        offer=offer,
        channel_kind=ChannelKind.STORE,
        agent_script_en="Fibre is here.",
        agent_script_pl="Światłowód już jest.",
    )
    OfferContentFactory(
        offer=offer,
        channel_kind=ChannelKind.USSD,
        agent_script_en="",
        short_text_en="Fibre 1 Gb/s: dial *100#",
        short_text_pl="Swiatlowod 1 Gb/s: wybierz *100#",
    )
    _live(offer, customer, [ChannelKind.STORE, ChannelKind.USSD])
    return customer


def _console(client, make_user, customer, language, agent=None):
    agent = agent or make_user(Role.AGENT)
    client.force_login(agent)
    response = client.get(
        customer_url(user=agent, customer_id=customer.pk), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_polish_agent_reads_offer_texts_and_decline_reasons_in_polish(
    client, make_user, customer
):
    page = _console(client, make_user, customer, "pl")
    assert "Światłowód 1 Gb/s" in page
    assert "Dwa razy szybciej w tej samej cenie" in page
    assert "Światłowód już jest." in page
    assert ">Za drogo</button>" in page and ">Brak zainteresowania</button>" in page
    assert "Fibre 1 Gb/s" not in page and "Too expensive" not in page
    assert '<span lang="en">' not in page and 'lang="en">Za' not in page  # nothing fell back


def test_an_english_agent_reads_them_in_english(client, make_user, customer):
    page = _console(client, make_user, customer, "en")
    assert "Fibre 1 Gb/s" in page and "Fibre is here." in page
    assert ">Too expensive</button>" in page
    assert "Światłowód" not in page and "Za drogo" not in page


def test_one_catalogue_in_memory_serves_both_languages(client, make_user, customer):
    agent = make_user(Role.AGENT)
    _console(client, make_user, customer, "en", agent)  # the catalogue is built
    held = catalogue.current()
    polish = _console(client, make_user, customer, "pl", agent)
    english = _console(client, make_user, customer, "en", agent)
    # Given the same process catalogue for both requests (not rebuilt in between)
    assert catalogue.current() is held
    # each agent read their own language from it
    assert "Światłowód 1 Gb/s" in polish and "Fibre 1 Gb/s" in english
    offer = held.campaigns[0].offers[0]
    with translation.override("pl"):
        assert offer.title == "Światłowód 1 Gb/s"
    with translation.override("en"):
        assert offer.title == "Fibre 1 Gb/s"


def test_a_text_missing_in_polish_falls_back_to_english_marked_with_lang(client, make_user):
    # Given an offer and a decline reason written in English only
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(title_en="Roaming pack", benefit_en="5 GB in the EU")
    OfferContentFactory(offer=offer, agent_script_en="Travelling soon?")
    _live(offer, customer, [ChannelKind.STORE])
    DeclineReason.objects.create(code="abroad", label_en="Lives abroad", position=9)
    # When a Polish agent opens the customer
    page = _console(client, make_user, customer, "pl")
    # Then the English texts show, each marked as English for screen readers
    assert '<h3><span lang="en">Roaming pack</span></h3>' in page
    assert '<p class="benefit"><span lang="en">5 GB in the EU</span></p>' in page
    assert '<blockquote class="script" lang="en">Travelling soon?</blockquote>' in page
    assert 'lang="en">Lives abroad</button>' in page
    assert 'lang="en">Za drogo' not in page  # reasons kept in Polish are not marked


def test_a_polish_only_text_is_marked_polish_for_an_english_reader():
    offer = OfferFactory.build(title_en=None, title_pl="Pakiet 20 GB")
    with translation.override("en"):
        text = translated(offer, "title")
    assert (text.text, text.language, text.other_language) == ("Pakiet 20 GB", "pl", True)


def test_the_api_answers_in_the_language_of_accept_language(customer):
    _client, key = api_client(kinds=[ChannelKind.USSD])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {"customer_id": customer.external_id, "channel_kind": ChannelKind.USSD}
    polish = client.post("/api/v1/decisions/", body, format="json", HTTP_ACCEPT_LANGUAGE="pl")
    english = client.post("/api/v1/decisions/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert polish.status_code == english.status_code == 201
    assert polish["Content-Language"] == "pl"
    assert polish.json()["offers"][0]["title"] == "Światłowód 1 Gb/s"
    assert polish.json()["offers"][0]["short_text"] == "Swiatlowod 1 Gb/s: wybierz *100#"
    assert english.json()["offers"][0]["title"] == "Fibre 1 Gb/s"
    assert english.json()["offers"][0]["short_text"] == "Fibre 1 Gb/s: dial *100#"


def test_the_seeded_decline_reasons_come_in_both_languages():
    labels = dict(DeclineReason.objects.values_list("code", "label_pl"))
    assert labels["price"] == "Za drogo"
    assert labels["not_interested"] == "Brak zainteresowania"
    assert DeclineReason.objects.get(code="price").label_en == "Too expensive"


def test_the_gsm_length_rule_applies_to_the_polish_short_text_too():
    content = OfferContentFactory.build(
        offer=OfferFactory(),
        channel_kind=ChannelKind.USSD,
        agent_script_en="",
        short_text_en="20 GB for 15 PLN",
        short_text_pl="Pakiet 20 GB za 15 zł na 30 dni. Wybierz *100*20# i potwierdź. " * 2,
    )
    with pytest.raises(ValidationError) as caught:
        content.full_clean()
    assert list(caught.value.message_dict) == ["short_text_pl"]
    assert "outside the GSM alphabet" in caught.value.message_dict["short_text_pl"][0]


def test_the_admin_edits_both_languages_side_by_side(client, make_user, customer):
    client.force_login(make_user(Role.CVM_MANAGER))
    offer = Offer.objects.get(title_en="Fibre 1 Gb/s")
    page = client.get(reverse("admin:campaigns_offer_change", args=[offer.pk])).content.decode()
    for name in ("title_en", "title_pl", "benefit_pl", "contents-0-agent_script_pl"):
        assert f'name="{name}"' in page, name
    assert 'name="title"' not in page
    reason = DeclineReason.objects.get(code="price")
    page = client.get(reverse("admin:campaigns_declinereason_change", args=[reason.pk]))
    assert 'value="Za drogo"' in page.content.decode()


def test_the_admin_saves_an_offer_in_both_languages(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/offer/add/",
        _offer_form(
            **{
                "title_pl": "Pakiet 20 GB",
                "contents-0-short_text_en": "20 GB for 15 PLN. Dial *100*20#",
                "contents-0-short_text_pl": "20 GB za 15 PLN. Wybierz *100*20#",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = Offer.objects.get(code="DATA-20")
    assert (offer.title_en, offer.title_pl) == ("20 GB", "Pakiet 20 GB")
    content = OfferContent.objects.get(offer=offer)
    assert content.short_text_pl == "20 GB za 15 PLN. Wybierz *100*20#"


def test_the_admin_says_a_polish_ussd_text_is_too_long(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/offer/add/",
        _offer_form(
            **{
                "contents-0-short_text_en": "20 GB for 15 PLN. Dial *100*20#",
                "contents-0-short_text_pl": "Pakiet 20 GB za 15 zł. " * 5,
            }
        ),
    )
    assert response.status_code == 200
    assert "outside the GSM alphabet" in response.content.decode()
    assert not Offer.objects.exists()


def test_the_admin_asks_for_a_script_in_an_assisted_channel(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/offer/add/",
        _offer_form(**{"contents-0-channel_kind": "store", "contents-0-short_text_en": ""}),
    )
    assert response.status_code == 200
    assert "need a script" in response.content.decode()
    assert not Offer.objects.exists()


def test_the_demo_offers_have_polish_texts_that_fit_their_formats():
    from campaigns.demo.catalogue import build_catalogue

    build_catalogue()  # validates every offer and content (full_clean): Polish USSD fits 80
    assert not Offer.objects.filter(title_pl__isnull=True).exists()
    ussd = OfferContent.objects.get(offer__code="DATA-20-PACK", channel_kind=ChannelKind.USSD)
    assert ussd.short_text_pl.startswith("Brakuje danych?")
    with translation.override("pl"):
        store = OfferContent.objects.get(offer__code="FIBRE-SWITCH", channel_kind="store")
        assert store.agent_script.startswith("Pod Twoim adresem")
        assert store.offer.title == "Światłowód 1 Gb/s pod Twoim adresem"
