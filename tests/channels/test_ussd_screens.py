"""Every USSD screen fits one page: 182 GSM-7 characters, or 80 once any character is outside
the GSM alphabet, whatever CVM wrote and whatever the translation says."""

from unittest import mock

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.formats import measure
from channels.ussd import screens

GSM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-+/()%@£$¥èéùìòÇØøÅåÆæßÉÄÖÑÜ§äöñüà"
EXTENSION = "€[]{}~^|\\"  # two septets each
POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"  # outside the GSM alphabet: the page holds 80
ALPHABET = GSM + EXTENSION + POLISH + "😀"


def fits(screen: screens.Screen) -> bool:
    return measure("ussd", screen.text).fits


def every_screen(titles: list[str], text: str) -> list[screens.Screen]:
    return [
        screens.menu(titles),
        screens.menu(titles, invalid=True),
        screens.offer(text),
        screens.offer(text, invalid=True),
        screens.accepted(),
        screens.later(),
        screens.recorded_before(),
        screens.unknown_number(),
        screens.no_offers(),
        screens.not_contactable(),
        screens.expired(),
        screens.unavailable(),
    ]


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize(
    ("titles", "text"),
    [
        (["Data 20 GB", "Fibre", "TV"], "20 GB for 15 PLN a month."),
        (["Pakiet danych 20 GB za 15 zł", "Światłowód", "Telewizja"], "Zażółć gęślą jaźń " * 4),
        (["x" * 182] * 3, "y" * 182),
        (["Zniżka " * 30] * 3, "€" * 91),
        (["Long offer title with many words " * 5, "Ä", "€uro"], "Gęś " * 20),
    ],
    ids=["short", "polish", "max-gsm", "long-mixed", "extension"],
)
def test_every_screen_fits_one_page_in_both_languages(language, titles, text):
    with translation.override(language):
        for screen in every_screen(titles, text):
            assert fits(screen), (screen.text, measure("ussd", screen.text))


@settings(max_examples=150, deadline=None)
@given(
    titles=st.lists(st.text(alphabet=ALPHABET, max_size=200), min_size=1, max_size=3),
    text=st.text(alphabet=ALPHABET, max_size=300),
    invalid=st.booleans(),
)
def test_any_titles_and_text_make_screens_that_fit(titles, text, invalid):
    assert fits(screens.menu(titles, invalid=invalid))
    assert fits(screens.offer(text, invalid=invalid))


def test_fixed_words_too_long_for_a_page_still_give_a_page_that_fits():
    # A translation longer than a page (here 4 × 60 Polish characters) is cut as a whole.
    with mock.patch.object(screens, "_", lambda s: "Zażółć gęślą jaźń, " * 12 + s):
        for screen in every_screen(["Oferta"], "Tekst"):
            assert fits(screen)
            assert screen.text


def test_a_menu_that_fits_is_left_as_it_is():
    assert (
        screens.menu(["Data 20 GB", "Fibre"]).body == "CON Offers for you:\n1. Data 20 GB\n2. Fibre"
    )


def test_long_titles_give_up_characters_and_short_ones_keep_theirs():
    long = "Unlimited calls and texts to every network plus 50 GB of data and roaming " * 2
    text = screens.menu([long, "TV", long]).text
    lines = text.split("\n")
    assert lines[2] == "2. TV"
    assert lines[1].endswith("...") and lines[3].endswith("...")
    assert len(text) > 150  # the room is used, not given away
    assert measure("ussd", text).fits


def test_a_polish_title_makes_the_page_ucs2_and_the_menu_shrinks_to_80():
    text = screens.menu(["Światłowód 1 Gb/s dla całej rodziny " * 3, "TV", "Roaming"]).text
    assert measure("ussd", text).encoding == "UCS-2"
    assert measure("ussd", text).used <= 80


def test_shortening_cuts_at_a_word_and_marks_the_cut():
    assert screens.shorten("Fibre for the whole family", 16) == "Fibre for the..."
    assert screens.shorten("Fibre", 16) == "Fibre"
    assert screens.shorten("Supercalifragilistic", 10) == "Superca..."


def test_the_offer_screen_keeps_the_answers_whole_and_shortens_the_text():
    text = screens.offer("Great offer. " * 30).text
    assert text.endswith("\n1 Accept 2 Not now 0 Back")
    assert "..." in text
