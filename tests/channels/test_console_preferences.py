"""Recording a customer's withdrawal of consent on the console page: only through the agent's
own link to the customer, POST with CSRF, confirmed; htmx gets the updated box back."""

import re

import pytest
from django.core import signing
from django.test import Client

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import ContactPreferenceChange, Customer
from channels.console.links import customer_url
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    SiteFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customer():
    return CustomerFactory(
        name="Ada Nowak",
        consent_marketing=True,
        consent_calls=True,
        consent_sms=True,
        consent_app_push=False,
        consent_digital=False,
    )


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT, username="store-agent", site=SiteFactory(code="WAW-01"))
    client.force_login(user)
    return user


def preferences_url(user, customer) -> str:
    return customer_url(user=user, customer_id=customer.pk) + "preferences/"


def withdraw_calls(client, url, **extra):
    return client.post(url, {"withdraw": ["consent_calls"], "confirm": "1"}, **extra)


def nothing_recorded(customer) -> bool:
    customer.refresh_from_db()
    return (
        customer.consent_calls
        and not ContactPreferenceChange.objects.exists()
        and not AuditEvent.objects.filter(action="contact_preference").exists()
    )


def test_the_customer_page_offers_to_withdraw_only_the_consents_given(client, agent, customer):
    url = customer_url(user=agent, customer_id=customer.pk)
    page = client.get(url).content.decode()
    box = page[page.index('id="contact-preferences"') :]
    assert "Contact preferences" in box and f'action="{url}preferences/"' in box  # the same link
    offered = re.findall(r'name="withdraw" value="(\w+)"', box)
    assert offered == ["consent_marketing", "consent_calls", "consent_sms", "do_not_contact"]
    assert "App notifications — not given" in box
    assert "cannot give consent on the customer" in box


def test_htmx_records_the_withdrawal_and_returns_the_box_and_the_header(client, agent, customer):
    # When the agent records that the customer withdraws consent to marketing calls
    response = withdraw_calls(client, preferences_url(agent, customer), **HTMX)
    # Then the box comes back open, saying what was recorded and that offers are stale
    body = response.content.decode()
    assert response.status_code == 200
    assert "Withdrawal recorded:" in body and "Marketing calls and visits" in body
    assert "Offers will respect this from now on — Refresh offers" in body
    assert "<details open>" in body
    # And the header's consents come along out of band, without calls
    header = body[body.index('id="customer-consents"') :]
    assert 'hx-swap-oob="true"' in header[:60] and ">calls<" not in header
    assert ">offers<" in header
    # And it is in effect and on record, with the agent's site
    customer.refresh_from_db()
    assert customer.consent_calls is False
    change = ContactPreferenceChange.objects.get()
    assert (change.agent, change.site_id) == (agent, agent.agent_profile.site_id)
    assert AuditEvent.objects.filter(action="contact_preference", user=agent).count() == 1


def test_the_customer_page_opened_again_respects_the_withdrawal_at_once(client, agent, customer):
    # Given the customer's page showing an offer for the store
    offer = OfferFactory(title="Fibre 1 Gb/s", channel_kinds=[ChannelKind.STORE])
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    page = customer_url(user=agent, customer_id=customer.pk)
    assert 'class="card offer"' in client.get(page).content.decode()
    # When the customer withdraws consent to offers during service contacts
    client.post(page + "preferences/", {"withdraw": ["consent_marketing"], "confirm": "1"})
    # Then the page, opened again in the same contact, shows no offer
    assert 'class="card offer"' not in client.get(page).content.decode()


def test_a_plain_form_post_goes_back_to_the_customer_with_a_message(client, agent, customer):
    response = withdraw_calls(client, preferences_url(agent, customer), follow=True)
    ((landed, status),) = response.redirect_chain
    assert status == 302 and landed.startswith("/console/customers/")
    assert f"/{customer.pk}/" not in landed  # a fresh signed link, not the database id
    assert "Withdrawal recorded: Marketing calls and visits" in response.content.decode()


def test_do_not_contact_leaves_no_form_to_undo_it(client, agent, customer):
    url = preferences_url(agent, customer)
    response = client.post(url, {"withdraw": ["do_not_contact"], "confirm": "1"}, **HTMX)
    body = response.content.decode()
    assert "The customer asked not to be contacted" in body
    assert 'name="withdraw"' not in body
    assert Customer.objects.get(pk=customer.pk).do_not_contact is True


def test_a_second_press_records_nothing_more(client, agent, customer):
    url = preferences_url(agent, customer)
    withdraw_calls(client, url, **HTMX)
    again = withdraw_calls(client, url, **HTMX)
    assert again.status_code == 200
    assert "Nothing to change: that was already withdrawn." in again.content.decode()
    assert ContactPreferenceChange.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"withdraw": ["consent_calls"]}, "Tick “The customer asked for this”"),
        ({"confirm": "1"}, "Choose which consent the customer withdraws"),
        ({"withdraw": ["grant_calls"], "confirm": "1"}, "Only a withdrawal can be recorded here"),
    ],
)
def test_unconfirmed_empty_or_granting_posts_record_nothing(client, agent, customer, data, message):
    response = client.post(preferences_url(agent, customer), data, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert nothing_recorded(customer)


def test_it_rejects_get(client, agent, customer):
    assert client.get(preferences_url(agent, customer)).status_code == 405
    assert nothing_recorded(customer)


def test_anonymous_users_are_sent_to_sign_in(client, make_user, customer):
    url = preferences_url(make_user(Role.AGENT), customer)
    response = withdraw_calls(client, url)
    assert response.status_code == 302 and "/login/" in response.url
    assert nothing_recorded(customer)


@pytest.mark.parametrize("role", [Role.CVM_MANAGER, Role.TRAINER])
def test_other_roles_are_refused(client, make_user, customer, role):
    user = make_user(role)
    client.force_login(user)
    assert withdraw_calls(client, preferences_url(user, customer)).status_code == 403
    assert nothing_recorded(customer)


def test_an_agent_of_another_site_cannot_use_my_link_or_guess_one(
    client, agent, customer, make_user
):
    # Given my link to the customer, and an agent of another site signed in
    mine = preferences_url(agent, customer)
    other = make_user(Role.AGENT, site=SiteFactory(code="KRK-01"))
    client.force_login(other)
    # Then my link, the raw id and an id signed some other way are all 404
    for url in (
        mine,
        f"/console/customers/{customer.pk}/preferences/",
        f"/console/customers/{signing.dumps(customer.pk)}/preferences/",
    ):
        assert withdraw_calls(client, url, **HTMX).status_code == 404, url
    assert nothing_recorded(customer)


def test_an_expired_link_records_nothing_and_says_so(
    client, agent, customer, settings, monkeypatch
):
    settings.CVM_CUSTOMER_LINK_MINUTES = 30
    real_timestamp = signing.TimestampSigner.timestamp
    monkeypatch.setattr(
        signing.TimestampSigner,
        "timestamp",
        lambda self: signing.b62_encode(signing.b62_decode(real_timestamp(self)) - 31 * 60),
    )
    url = preferences_url(agent, customer)
    monkeypatch.undo()
    htmx = withdraw_calls(client, url, **HTMX)
    assert htmx.status_code == 422 and "has expired" in htmx.content.decode()
    plain = withdraw_calls(client, url)
    assert plain.status_code == 302 and plain.url == "/console/"
    assert nothing_recorded(customer)


def test_a_post_without_the_csrf_token_is_refused(agent, customer):
    # Given a browser that enforces CSRF, signed in as the agent
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    page = browser.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    url = preferences_url(agent, customer)
    # When a form is posted without the token: refused
    assert withdraw_calls(browser, url).status_code == 403
    assert nothing_recorded(customer)
    # And with the page's token (as htmx sends it, in the header): recorded
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert withdraw_calls(browser, url, HTTP_X_CSRFTOKEN=token, **HTMX).status_code == 200
    assert not Customer.objects.get(pk=customer.pk).consent_calls


def test_recording_takes_a_fixed_number_of_queries(
    client, agent, customer, django_assert_num_queries
):
    url = preferences_url(agent, customer)
    # session, user, roles, customer, profile, savepoint, lock, retire, update, insert, audit,
    # release
    with django_assert_num_queries(12):
        response = client.post(
            url, {"withdraw": ["consent_calls", "consent_sms"], "confirm": "1"}, **HTMX
        )
    assert response.status_code == 200
