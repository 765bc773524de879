"""The decision API gives each offer's texts for the channel kind asked, and only those."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db

KINDS = [ChannelKind.WEB, ChannelKind.APP, ChannelKind.CHATBOT, ChannelKind.USSD, ChannelKind.IVR]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(
        external_id="C0042", consent_sms=True, consent_marketing=True, consent_app_push=True,
        consent_digital=True,
    )  # fmt: skip
    offer = OfferFactory(code="DATA-20", channel_kinds=KINDS)
    for kind in KINDS:
        OfferContentFactory(
            offer=offer, channel_kind=kind, agent_script="", short_text="20 GB for 15 PLN",
            banner_title="20 GB", sms_text="20 GB for 15 PLN: reply YES", push_title="20 GB",
            push_body="Twice the data for 15 PLN", banner_alt="A phone with a data gauge",
            banner_link="https://shop.example.com/data-20", ivr_prompt="Press 1 for 20 GB.",
            banner_image=SimpleUploadedFile("banner.png", PNG, content_type="image/png"),
        )  # fmt: skip
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer], channel_kinds=KINDS)
    target_group(campaign, [{"customer": customer, "propensity": 0.3}])
    _client, key = api_client("all-digital", kinds=KINDS)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


EXPECTED = {
    ChannelKind.WEB: {"banner_title", "banner_image_url", "banner_alt", "banner_link"},
    ChannelKind.APP: {
        "push_title", "push_body", "banner_title", "banner_image_url", "banner_alt", "banner_link",
    },
    ChannelKind.CHATBOT: {"short_text", "banner_image_url", "banner_alt", "banner_link"},
    ChannelKind.USSD: {"short_text", "sms_text"},
    ChannelKind.IVR: {"ivr_prompt"},
}  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_gets_the_content_of_its_own_format(world, kind):
    # When a client asks for a decision in this kind
    response = world.post(
        "/api/v1/decisions/", {"customer_id": "C0042", "channel_kind": kind}, format="json"
    )
    # Then each offer carries that kind's texts and no other kind's
    assert response.status_code == 201
    content = response.json()["offers"][0]["content"]
    assert set(content) == EXPECTED[kind]
    if "banner_image_url" in content:
        assert content["banner_image_url"].startswith("http://testserver/media/")
        assert content["banner_image_url"].endswith(".png")
    if "sms_text" in content:
        assert content["sms_text"] == "20 GB for 15 PLN: reply YES"
    if "ivr_prompt" in content:
        assert content["ivr_prompt"] == "Press 1 for 20 GB."
    # and the fields an older client reads are still there
    assert response.json()["offers"][0]["short_text"] == "20 GB for 15 PLN"
    assert response.json()["degraded"] is False


def test_the_schema_describes_the_content_and_the_budget(client, make_user):
    from cvm_portal.roles import Role

    client.force_login(make_user(Role.ADMINISTRATOR))
    schema = client.get("/api/schema/?format=json").json()
    offer = schema["components"]["schemas"]["Offer"]
    assert "content" in offer["required"]
    content = schema["components"]["schemas"]["Content"]["properties"]
    assert {"sms_text", "push_title", "banner_image_url", "ivr_prompt"} <= set(content)
    post = schema["paths"]["/api/v1/decisions/"]["post"]
    assert {"200", "201", "400", "401", "403", "404", "429"} <= set(post["responses"])
    budget = next(p for p in post["parameters"] if p["name"] == "X-Decision-Budget-Ms")
    assert budget["in"] == "header"
    # the header is checked as the body field is: its schema says so (0 is a 400, foreseen)
    assert (budget["schema"]["minimum"], budget["schema"]["maximum"]) == (10, 5000)
    body = schema["components"]["schemas"]["DecisionRequestRequest"]["properties"]["budget_ms"]
    assert (body["minimum"], body["maximum"]) == (10, 5000)
