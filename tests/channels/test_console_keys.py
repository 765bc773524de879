"""The console's outcome keys follow the labels in each language: a Polish agent presses P for
"Przyjęta", not A for an English word they never see. The page hands the keys to console.js."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from campaigns.choices import CampaignStatus, ChannelKind
from channels.console.keys import BUTTON_LABELS, outcome_keys
from channels.console.links import customer_url
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, target_group

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_key_is_the_first_letter_of_its_button_and_no_two_keys_are_alike(language):
    with translation.override(language):
        keys = outcome_keys()
        labels = {name: str(label) for name, label in BUTTON_LABELS.items()}
    assert len(set(keys.values())) == len(keys), keys
    for name, key in keys.items():
        assert len(key) == 1 and key.isalpha() and key == key.upper(), (name, key)
        assert labels[name][0].upper() == key, (language, name, labels[name], key)


def test_the_polish_keys_are_not_the_english_ones():
    with translation.override("pl"):
        polish = outcome_keys()
    assert polish == {
        "accepted": "P",
        "later": "D",
        "declined": "O",
        "not_presented": "N",
        "undo": "C",
    }


@pytest.fixture
def customer():
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(title="Fibre 1 Gb/s", channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return customer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "keys", "hint"),
    [
        ("en", "ALDNU", "then A accepted · L later · D declined · N not presented. U undoes"),
        (
            "pl",
            "PDONC",
            "potem P — przyjęta · D — do namysłu · O — odrzucona · N — nieprzedstawiona. C cofa",
        ),
    ],
)
def test_the_customer_page_gives_console_js_the_keys_its_hint_names(
    client, make_user, customer, language, keys, hint
):
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    given = dict(re.findall(r'data-key-([a-z-]+)="([^"]*)"', page))
    assert given == dict(
        zip(["accepted", "later", "declined", "not-presented", "undo"], keys, strict=True)
    )
    assert hint in page
