"""The campaign preview per channel: what each channel would show a sample member, read-only."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from campaigns.choices import ChannelKind
from campaigns.models import Customer, Decision, OfferContent, Presentation, Response
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    bonus_plan,
    target_group,
)

pytestmark = pytest.mark.django_db

KINDS = [
    ChannelKind.STORE,
    ChannelKind.OUTBOUND_CALL,
    ChannelKind.USSD,
    ChannelKind.APP,
    ChannelKind.IVR,
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(settings, tmp_path):
    """A campaign in five channel kinds with one offer, its texts, and a target group whose first
    member is in the control group and whose second has a reason from the warehouse."""
    settings.MEDIA_ROOT = tmp_path
    offer = OfferFactory(title="Fibre 1 Gb/s", channel_kinds=KINDS)
    OfferContentFactory(
        offer=offer, channel_kind=ChannelKind.STORE, agent_script="Fibre is in your street now."
    )
    OfferContentFactory(
        offer=offer,
        channel_kind=ChannelKind.OUTBOUND_CALL,
        agent_script="Hello, I am calling about fibre in your street.",
    )
    OfferContentFactory(
        offer=offer,
        channel_kind=ChannelKind.USSD,
        agent_script="",
        short_text="Fibre 1 Gb/s for 59 PLN. Reply 1 to order.",
        sms_text="Fibre is here: order at https://shop.example.com",
    )
    OfferContentFactory(
        offer=offer,
        channel_kind=ChannelKind.APP,
        agent_script="",
        push_title="Fibre is here",
        push_body="1 Gb/s at home for 59 PLN a month.",
        banner_title="Fibre 1 Gb/s",
        banner_image=SimpleUploadedFile("f.png", PNG),
        banner_alt="A router with a green light",
        banner_link="https://shop.example.com/fibre",
    )
    OfferContentFactory(
        offer=offer,
        channel_kind=ChannelKind.IVR,
        agent_script="",
        ivr_prompt="Fibre is in your street. Press one to hear more.",
    )
    campaign = CampaignFactory(name="Fibre street", channel_kinds=KINDS, offers=[offer])
    held_out = CustomerFactory(name="Held Out", consent_sms=True)
    member = CustomerFactory(name="Maria Nowak", consent_sms=True, consent_app_push=True)
    target_group(
        campaign,
        [
            {"customer": held_out, "is_control": True},
            {"customer": member, "reason": "Fibre became available at the address"},
        ],
    )
    return campaign, offer, member


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER)
    client.force_login(user)
    return user


def _page(client, campaign, **params) -> str:
    response = client.get(f"/cvm/campaigns/{campaign.pk}/preview/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_channel_shows_its_texts_for_a_member_outside_the_control_group(
    client, manager, world
):
    campaign, offer, _member = world
    page = _page(client, campaign)
    # The first member is in the control group: the second is shown, with their own reason.
    assert "Maria Nowak" in page and "Held Out" not in page
    assert "Fibre became available at the address" in page
    # The console card and the outbound script, as the agents see them.
    assert "Fibre is in your street now." in page and "s to read" in page
    assert "Hello, I am calling about fibre in your street." in page
    assert page.count("disabled>") >= 8  # both cards' outcome buttons, inert
    # USSD, SMS, push, banner, IVR with their measures.
    assert "Fibre 1 Gb/s for 59 PLN. Reply 1 to order." in page
    assert "42 of 182 characters (GSM-7)" in page
    assert "Sent as 1 SMS." in page
    assert "Fibre is here" in page and "1 Gb/s at home for 59 PLN a month." in page
    content = OfferContent.objects.get(offer=offer, channel_kind=ChannelKind.APP)
    assert f'src="/cvm/offer-contents/{content.pk}/banner/" alt="A router with a green light"' in (
        page
    )
    assert "https://shop.example.com/fibre" in page
    assert "Press one to hear more." in page and "s to speak." in page


def test_a_text_over_its_limit_is_marked_with_the_reason(client, manager, world):
    campaign, offer, _member = world
    # Written before the limits existed (or by a load): the preview must still catch it.
    OfferContent.objects.filter(offer=offer, channel_kind=ChannelKind.USSD).update(
        sms_text="Światłowód " * 10
    )
    page = _page(client, campaign)
    assert "over the limit" in page
    assert "110 of 70 characters (UCS-2)" in page
    assert "outside the GSM alphabet" in page and "Ś" in page
    assert 'class="measure small over"' in page
    assert "Sent as 2 SMS parts" in page


def test_a_preview_writes_nothing_but_its_audit_event(client, manager, world):
    campaign, _offer, member = world
    counts = (Decision.objects.count(), Presentation.objects.count(), Response.objects.count())
    _page(client, campaign)
    assert (
        Decision.objects.count(),
        Presentation.objects.count(),
        Response.objects.count(),
    ) == counts
    event = AuditEvent.objects.get(action="preview")
    assert event.user == manager and event.object_id == str(member.pk)
    assert campaign.code in event.detail


def test_the_manager_picks_the_member_by_customer_id(client, manager, world):
    campaign, _offer, _member = world
    other = CustomerFactory(name="Not A Member")
    page = _page(client, campaign, customer=other.external_id)
    assert "is not in this campaign&#x27;s target group" in page
    assert "Maria Nowak" in page and "Not A Member" not in page  # the chosen member instead
    held_out = Customer.objects.get(name="Held Out")
    chosen = _page(client, campaign, customer=held_out.external_id)
    assert "Held Out" in chosen and "in the control group" in chosen


def test_an_empty_target_group_shows_a_labelled_example_customer_and_audits_nothing(
    client, manager
):
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    OfferContentFactory(offer=offer, agent_script="Try our new plan.")
    campaign = CampaignFactory(channel_kinds=[ChannelKind.STORE], offers=[offer])
    page = _page(client, campaign)
    assert "Example customer — not a real member." in page
    assert "Try our new plan." in page
    assert not AuditEvent.objects.filter(action="preview").exists()


def test_the_console_card_shows_the_agents_bonus_line(client, manager, world):
    campaign, _offer, _member = world
    today = timezone.localdate()
    bonus_plan((today - timedelta(days=1), today + timedelta(days=10)), rules=(("7", "0"),))
    page = _page(client, campaign)
    assert "Your bonus" in page and "accepting it earns you PLN\xa07" in page


def test_agents_and_anonymous_users_cannot_preview(client, make_user, world):
    campaign, _offer, _member = world
    url = f"/cvm/campaigns/{campaign.pk}/preview/"
    client.force_login(make_user(Role.AGENT))
    assert client.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the sign-in page
    assert not AuditEvent.objects.filter(action="preview").exists()


def test_the_preview_takes_get_only_and_404s_an_unknown_campaign(client, manager, world):
    campaign, _offer, _member = world
    assert client.post(f"/cvm/campaigns/{campaign.pk}/preview/").status_code == 405
    assert client.get("/cvm/campaigns/999999/preview/").status_code == 404
