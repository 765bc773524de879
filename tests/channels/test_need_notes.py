"""Customer-need notes: an agent adds one in seconds from the console or the outbound screen,
with numbers masked; agents read the notes of their own site only, CVM managers all."""

import re

import pytest
from django.test import Client

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Decision, NeedTag
from channels.console.links import customer_url
from channels.insights.notes import add_note, notes_on
from channels.insights.notes_demo import build_need_notes_demo
from channels.models import Lead
from channels.models.insights import CustomerNote
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    SiteFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs():
    """The seeded taxonomy (migration 0031), by code."""
    return {tag.code: tag for tag in NeedTag.objects.all()}


@pytest.fixture
def customer():
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(title="Fibre 1 Gb/s", channel_kinds=[ChannelKind.STORE])
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE, agent_script="Fibre is here.")
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return customer


@pytest.fixture
def store():
    return SiteFactory(name="Store Gdańsk")


@pytest.fixture
def agent(client, store):
    user = user_with_role(Role.AGENT, site=store, username="ania")
    client.force_login(user)
    return user


def page_of(client, user, customer) -> str:
    return client.get(customer_url(user=user, customer_id=customer.pk)).content.decode()


def notes_url(user, customer) -> str:
    return customer_url(user=user, customer_id=customer.pk) + "notes/"


def history_section(page: str) -> str:
    return re.search(r'<section id="history".*?</section>', page, re.S).group(0)


# --- the taxonomy --------------------------------------------------------------------------


def test_the_taxonomy_is_seeded_in_english_and_polish(needs):
    assert {"cheaper_plan", "coverage", "competitor_offer", "moving_house", "device_broken"} <= set(
        needs
    )
    assert len(needs) >= 8
    assert needs["cheaper_plan"].label_en == "Wants a cheaper plan"
    assert needs["cheaper_plan"].label_pl == "Chce tańszy abonament"


def test_a_cvm_manager_adds_and_retires_a_need_in_the_admin(client, needs):
    manager = user_with_role(Role.CVM_MANAGER)
    client.force_login(manager)
    page = client.get("/admin/campaigns/needtag/add/").content.decode()
    assert 'name="label_en"' in page and 'name="label_pl"' in page
    response = client.post(
        "/admin/campaigns/needtag/add/",
        {
            "code": "roaming",
            "label_en": "Travels abroad",
            "label_pl": "Podróżuje za granicę",
            "description": "",
            "position": "90",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert NeedTag.objects.get(code="roaming").label_pl == "Podróżuje za granicę"
    client.post(
        "/admin/campaigns/needtag/",
        {"action": "retire", "_selected_action": [needs["coverage"].pk]},
    )
    needs["coverage"].refresh_from_db()
    assert not needs["coverage"].is_active


def test_an_agent_cannot_open_the_taxonomy_admin(client, agent):
    assert client.get("/admin/campaigns/needtag/").status_code in (302, 403)


# --- adding from the console ---------------------------------------------------------------


def test_the_console_page_offers_the_needs_as_toggles_and_an_empty_history_says_what_to_do(
    client, agent, customer, needs
):
    page = page_of(client, agent, customer)
    assert 'id="need-notes-form"' in page
    assert f'name="tags" value="{needs["coverage"].pk}"' in page
    assert "Coverage problem" in page
    assert "No needs noted for this customer yet" in history_section(page)


def test_an_agent_saves_a_note_without_javascript_and_sees_it_in_the_history(
    client, agent, customer, needs, store
):
    response = client.post(
        notes_url(agent, customer),
        {
            "tags": [needs["coverage"].pk, needs["competitor_offer"].pk],
            "text": "Call her on 601 234 567, PESEL 44051401458, card 4111 1111 1111 1111.",
        },
    )
    assert response.status_code == 302
    assert response.url.endswith("#need-notes-form")
    note = CustomerNote.objects.get()
    assert note.text == "Call her on [phone], PESEL [PESEL], card [card]."
    assert {t.code for t in note.tags.all()} == {"coverage", "competitor_offer"}
    assert (note.author, note.site, note.channel_kind) == (agent, store, ChannelKind.STORE)
    page = client.get(response.url).content.decode()
    assert "Note saved." in page
    history = history_section(page)
    assert "Call her on [phone], PESEL [PESEL], card [card]." in history
    assert "Coverage problem" in history and "Competitor offer" in history
    assert "601 234 567" not in page
    assert AuditEvent.objects.filter(
        user=agent, action="need_note", object_id=str(customer.pk)
    ).exists()


def test_a_note_is_tied_to_the_agents_contact_when_the_form_names_it(
    client, agent, customer, needs
):
    page = page_of(client, agent, customer)
    decision_id = re.search(r'name="decision" value="([0-9a-f-]+)"', page).group(1)
    client.post(
        notes_url(agent, customer),
        {"tags": [needs["more_data"].pk], "decision": decision_id},
    )
    assert str(CustomerNote.objects.get().decision_id) == decision_id


def test_someone_elses_contact_is_not_tied_to_the_note(client, agent, customer, needs):
    other = Decision.objects.create(customer=CustomerFactory(), channel_kind=ChannelKind.STORE)
    client.post(notes_url(agent, customer), {"tags": [needs["more_data"].pk], "decision": other.pk})
    assert CustomerNote.objects.get().decision is None


def test_the_json_path_answers_the_new_history_entry(client, agent, customer, needs):
    response = client.post(
        notes_url(agent, customer),
        {"tags": [needs["moving_house"].pk], "text": "Moving; new number +48 22 123 45 67"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Note saved."
    assert "Moving house" in body["html"]
    assert "Moving; new number [phone]" in body["html"]
    assert "123 45 67" not in body["html"]
    assert f'id="need-note-{body["id"]}"' in body["html"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Tick at least one need or write a few words."),
        ({"text": "   "}, "Tick at least one need or write a few words."),
        ({"text": "x" * 501}, "Keep the note to 500 characters (it has 501)."),
        ({"tags": ["999999"]}, "That need is no longer on the list. Reload the page."),
    ],
)
def test_an_empty_too_long_or_stale_note_is_refused_with_a_clear_error(
    client, agent, customer, data, error
):
    answer = client.post(notes_url(agent, customer), data, HTTP_ACCEPT="application/json")
    assert answer.status_code == 422
    assert answer.json()["errors"] == [error]
    plain = client.post(notes_url(agent, customer), data, follow=True)
    assert error.replace("'", "&#x27;") in plain.content.decode()
    assert not CustomerNote.objects.exists()


def test_a_retired_need_cannot_be_ticked(client, agent, customer, needs):
    NeedTag.objects.filter(code="coverage").update(is_active=False)
    assert f'name="tags" value="{needs["coverage"].pk}"' not in page_of(client, agent, customer)
    answer = client.post(
        notes_url(agent, customer),
        {"tags": [needs["coverage"].pk]},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 422


def test_another_agents_link_is_a_404_and_get_is_refused(client, agent, customer, needs, store):
    colleague = user_with_role(Role.AGENT, site=store)
    assert (
        client.post(notes_url(colleague, customer), {"tags": [needs["coverage"].pk]}).status_code
        == 404
    )
    assert client.get(notes_url(agent, customer)).status_code == 405
    assert not CustomerNote.objects.exists()


def test_a_trainer_or_anonymous_user_cannot_add_a_note(client, customer, needs, agent):
    url = notes_url(agent, customer)
    assert Client().post(url, {"tags": [needs["coverage"].pk]}).status_code == 302  # to sign in
    client.force_login(user_with_role(Role.TRAINER))
    assert client.post(url, {"tags": [needs["coverage"].pk]}).status_code == 403
    assert not CustomerNote.objects.exists()


def test_the_service_refuses_an_author_without_a_site(customer, needs):
    trainer = user_with_role(Role.TRAINER)
    with pytest.raises(Exception, match="Only agents and team leads"):
        add_note(customer=customer, author=trainer, tags=[needs["coverage"]], channel_kind="store")


# --- who reads which notes -----------------------------------------------------------------


@pytest.fixture
def notes_at_two_sites(customer, needs, store):
    here = user_with_role(Role.AGENT, site=store, username="here")
    there = user_with_role(Role.AGENT, site=SiteFactory(name="Call centre Łódź"), username="there")
    mine = add_note(
        customer=customer, author=here, tags=[needs["coverage"]], text="ours", channel_kind="store"
    )
    theirs = add_note(
        customer=customer,
        author=there,
        tags=[needs["device_broken"]],
        text="from Łódź",
        channel_kind="inbound_call",
    )
    cvm = add_note(
        customer=customer,
        author=user_with_role(Role.CVM_MANAGER),
        tags=[needs["more_data"]],
        text="CVM's own",
        channel_kind="store",
    )
    return mine, theirs, cvm


def test_an_agent_sees_only_the_notes_written_at_their_own_site(
    client, agent, customer, notes_at_two_sites
):
    mine, theirs, cvm = notes_at_two_sites
    assert list(CustomerNote.objects.visible_to(agent)) == [mine]
    history = history_section(page_of(client, agent, customer))
    assert "ours" in history
    assert "from Łódź" not in history and "CVM&#x27;s own" not in history


def test_a_team_lead_sees_their_sites_notes_only(notes_at_two_sites, store):
    mine, _theirs, _cvm = notes_at_two_sites
    lead = user_with_role(Role.TEAM_LEAD, site=store)
    assert list(CustomerNote.objects.visible_to(lead)) == [mine]


def test_a_cvm_manager_sees_every_note(customer, notes_at_two_sites):
    manager = user_with_role(Role.CVM_MANAGER)
    assert set(notes_on(customer.pk, user=manager)) == set(notes_at_two_sites)


@pytest.mark.parametrize("role", [Role.TRAINER, Role.DIGITAL_TEAM, None])
def test_nobody_else_sees_notes(notes_at_two_sites, role):
    assert not CustomerNote.objects.visible_to(user_with_role(role)).exists()


def test_notes_stay_in_the_history_when_an_outcome_redraws_it(client, agent, customer, needs):
    page = page_of(client, agent, customer)
    add_note(
        customer=customer,
        author=agent,
        tags=[needs["cheaper_plan"]],
        text="n1",
        channel_kind="store",
    )
    presentation_id = re.search(r"/console/offers/(\d+)/outcome/", page).group(1)
    answer = client.post(
        f"/console/offers/{presentation_id}/outcome/", {"outcome": "later"}, HTTP_HX_REQUEST="true"
    )
    oob = answer.content.decode()
    assert 'id="history"' in oob
    assert "Wants a cheaper plan" in history_section(oob)


# --- the outbound screen ---------------------------------------------------------------------


@pytest.fixture
def call(client):
    world = outbound_world(2)
    build_lists()
    world.agent = outbound_agent(world.site, username="olaf")
    client.force_login(world.agent)
    client.post("/outbound/next/")
    world.lead = Lead.objects.get(assigned_to=world.agent)
    return world


def test_an_outbound_agent_notes_a_need_on_the_call_and_sees_it_under_earlier_calls(
    client, call, needs
):
    page = client.get("/outbound/").content.decode()
    assert f'action="/outbound/leads/{call.lead.pk}/notes/"' in page
    response = client.post(
        f"/outbound/leads/{call.lead.pk}/notes/",
        {"tags": [needs["cheaper_plan"].pk], "text": "Wife's mobile 0048 600-700-800"},
    )
    assert response.status_code == 302 and response.url == "/outbound/#need-notes-form"
    note = CustomerNote.objects.get()
    assert (note.customer, note.campaign, note.site) == (
        call.lead.customer,
        call.campaign,
        call.site,
    )
    assert note.channel_kind == ChannelKind.OUTBOUND_CALL
    assert note.decision_id == call.lead.decision_id
    page = client.get("/outbound/").content.decode()
    assert "Wife&#x27;s mobile [phone]" in page and "600-700-800" not in page


def test_another_agents_lead_is_a_404(client, call, needs):
    colleague = outbound_agent(call.site)
    client.force_login(colleague)
    answer = client.post(f"/outbound/leads/{call.lead.pk}/notes/", {"tags": [needs["coverage"].pk]})
    assert answer.status_code == 404


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_writes_notes_on_customers_the_agents_met_with_numbers_masked(customer, needs):
    agent = user_with_role(Role.AGENT)
    for _ in range(3):
        Decision.objects.create(
            customer=customer, channel_kind=ChannelKind.STORE, agent=agent, site_id=1
        )
    assert build_need_notes_demo(count=30) == 30
    assert CustomerNote.objects.count() == 30
    assert not CustomerNote.objects.filter(text__regex=r"[0-9]{3} [0-9]{3}").exists()
    assert build_need_notes_demo(count=30) == 0  # once
