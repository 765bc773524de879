import pytest
from django.core.exceptions import ValidationError

from campaigns.textrules import measure_short_text, non_gsm_characters, validate_short_text


def test_gsm_text_may_use_182_characters():
    validate_short_text("a" * 182)
    with pytest.raises(ValidationError) as exc:
        validate_short_text("a" * 183)
    assert "183 of 182" in exc.value.messages[0]
    assert "Shorten it by 1" in exc.value.messages[0]


def test_extension_characters_count_twice():
    assert measure_short_text("€").used == 2
    validate_short_text("€" * 91)
    with pytest.raises(ValidationError):
        validate_short_text("€" * 91 + "a")


def test_any_non_gsm_character_switches_to_ucs2_with_80_characters():
    validate_short_text("ą" * 80)
    with pytest.raises(ValidationError) as exc:
        validate_short_text("Pakiet 20 GB za 15 zł – kup teraz! " + "x" * 60)
    message = exc.value.messages[0]
    assert "of 80" in message
    assert "ł" in message and "–" in message


def test_emoji_take_two_ucs2_units():
    assert measure_short_text("📱").used == 2
    assert measure_short_text("📱").encoding == "UCS-2"


def test_gsm_accented_letters_stay_in_gsm():
    assert measure_short_text("é à ü Ä ñ").encoding == "GSM-7"
    assert non_gsm_characters("Zażółć") == ["ż", "ó", "ł", "ć"]


def test_ussd_content_too_long_is_a_field_error():
    from campaigns.models import OfferContent

    field = OfferContent._meta.get_field("short_text")
    with pytest.raises(ValidationError):
        field.run_validators("ż" * 81)
