"""Offer content for every format: SMS, app push, banner image, alt text and link, IVR prompt."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaigns.choices import ChannelKind
from campaigns.formats import measure, sms_parts
from campaigns.models import OfferContent
from cvm_portal.roles import Role
from tests.factories import OfferContentFactory, OfferFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"


def _content(**fields) -> OfferContent:
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE, ChannelKind.APP, ChannelKind.USSD])
    return OfferContent(offer=offer, channel_kind=ChannelKind.APP, **fields)


def _errors(content: OfferContent) -> dict[str, list[str]]:
    try:
        content.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_an_sms_of_160_gsm_characters_fits_and_161_says_how_far_over():
    assert _errors(_content(sms_text="a" * 160)) == {}
    errors = _errors(_content(sms_text="a" * 161))["sms_text"]
    assert "161 of 160 characters" in errors[0] and "Shorten it by 1" in errors[0]


def test_gsm_extension_characters_count_twice_in_an_sms():
    # 158 letters and one € take 160 septets; one more letter is over.
    assert _errors(_content(sms_text="a" * 158 + "€")) == {}
    errors = _errors(_content(sms_text="a" * 159 + "€"))["sms_text"]
    assert "161 of 160" in errors[0] and "count twice" in errors[0]


def test_an_sms_with_a_polish_letter_has_the_ucs2_limit_of_70_and_names_the_letter():
    assert _errors(_content(sms_text="ł" + "a" * 69)) == {}
    errors = _errors(_content(sms_text="ł" + "a" * 70))["sms_text"]
    assert "71 of 70" in errors[0] and "ł" in errors[0] and "instead of 160" in errors[0]


def test_sms_parts_are_counted_as_the_network_splits_them():
    assert sms_parts("") == 0
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2  # 153 per part once split
    assert sms_parts("ł" * 71) == 2  # 67 per UCS-2 part
    assert measure("sms", "ł" * 71).encoding == "UCS-2"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("push_title", 50), ("push_body", 150), ("banner_alt", 150), ("ivr_prompt", 400)],
)
def test_plain_texts_have_their_format_limit(field, limit):
    assert field not in _errors(_content(**{field: "x" * limit}))
    errors = _errors(_content(**{field: "x" * (limit + 3)}))[field]
    assert f"{limit + 3} of {limit} characters" in errors[0] and "Shorten it by 3" in errors[0]


def test_a_banner_link_must_be_https():
    errors = _errors(_content(banner_link="http://shop.example.com/fibre"))
    assert "Use an https:// address" in errors["banner_link"][0]
    assert _errors(_content(banner_link="https://shop.example.com/fibre")) == {}


@pytest.mark.parametrize(("name", "data"), [("a.png", PNG), ("b.jpg", JPEG), ("c.webp", WEBP)])
def test_png_jpeg_and_webp_banners_are_accepted_with_their_alt_text(name, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = _content(banner_image=SimpleUploadedFile(name, data), banner_alt="A phone")
    assert _errors(content) == {}


def test_a_banner_is_judged_by_its_content_not_its_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    disguised = _content(banner_image=SimpleUploadedFile("logo.png", SVG), banner_alt="Logo")
    assert "not a PNG, JPEG or WebP image" in _errors(disguised)["banner_image"][0]
    # A real PNG with a misleading name is stored under the extension of what it is.
    renamed = _content(banner_image=SimpleUploadedFile("banner.svg", PNG), banner_alt="Logo")
    assert _errors(renamed) == {}
    renamed.save()
    assert renamed.banner_image.name.startswith(f"offers/{renamed.offer_id}/")
    assert renamed.banner_image.name.endswith(".png")


def test_a_banner_over_500_kb_is_refused_saying_by_how_much(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (600 * 1024))
    errors = _errors(_content(banner_image=big, banner_alt="Big"))["banner_image"]
    assert "at most 500 KB" in errors[0] and "101 KB smaller" in errors[0]


def test_a_banner_image_needs_its_alt_text(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    errors = _errors(_content(banner_image=SimpleUploadedFile("a.png", PNG)))
    assert "screen reader" in errors["banner_alt"][0]


def test_the_admin_groups_content_per_format_with_limits_for_the_counter(client, make_user):
    content = OfferContentFactory(sms_text="Hello")
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get(f"/admin/campaigns/offercontent/{content.pk}/change/").content.decode()
    for legend in ("USSD screen", "SMS", "App push", "Banner (app and web)", "IVR"):
        assert f">{legend}<" in page
    assert 'data-format-limit="160" data-format-ucs-limit="70"' in page  # the SMS field
    assert 'data-format-limit="50"' in page  # the push title
    assert "js/format_counter" in page


def test_the_admin_saves_a_banner_and_refuses_an_http_link(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = OfferContentFactory(offer__channel_kinds=[ChannelKind.STORE, ChannelKind.APP])
    client.force_login(make_user(Role.CVM_MANAGER))
    url = f"/admin/campaigns/offercontent/{content.pk}/change/"
    form = {
        "offer": content.offer.pk,
        "channel_kind": ChannelKind.STORE,
        "agent_script_en": "Would you like more data?",
        "push_title_en": "More data",
        "banner_alt_en": "A phone showing 20 GB",
        "banner_image": SimpleUploadedFile("b.png", PNG),
        "banner_link": "http://shop.example.com",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "Use an https:// address" in refused.content.decode()
    form["banner_image"] = SimpleUploadedFile("b.png", PNG)
    form["banner_link"] = "https://shop.example.com"
    saved = client.post(url, form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    content.refresh_from_db()
    assert content.push_title == "More data" and content.banner_image.name.endswith(".png")


def test_a_banner_is_served_with_the_type_of_its_content_to_cvm_managers_only(
    client, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    content = _content(banner_image=SimpleUploadedFile("b.webp", WEBP), banner_alt="Phone")
    content.save()
    url = f"/cvm/offer-contents/{content.pk}/banner/"
    client.force_login(make_user(Role.CVM_MANAGER))
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == WEBP
    agent = Client()
    agent.force_login(make_user(Role.AGENT))
    assert agent.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the sign-in page
