"""Phone numbers, national id numbers (PESEL) and card numbers never reach storage in free text;
prices, dates and other numbers stay as the agent wrote them."""

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvm_portal.masking import CARD_MARK, PESEL_MARK, PHONE_MARK, luhn_ok, mask, pesel_ok

# --- generators of valid numbers ------------------------------------------------------------


def pesel_for(day: dt.date, serial: int) -> str:
    month = day.month + {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[day.year // 100]
    body = f"{day.year % 100:02d}{month:02d}{day.day:02d}{serial:04d}"
    total = sum(int(d) * w for d, w in zip(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True))
    return body + str((10 - total % 10) % 10)


def luhn_complete(body: str) -> str:
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("a Luhn check digit always exists")


pesels = st.builds(
    pesel_for,
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.integers(0, 9999),
)

card_digits = st.integers(13, 19).flatmap(
    lambda n: st.tuples(
        st.sampled_from("123456789"), st.text("0123456789", min_size=n - 2, max_size=n - 2)
    ).map(lambda parts: luhn_complete(parts[0] + parts[1]))
)


def grouped(digits: str, size: int, sep: str) -> str:
    return sep.join(digits[i : i + size] for i in range(0, len(digits), size))


cards = st.tuples(card_digits, st.sampled_from(["", " ", "-"]), st.sampled_from([4, 4, 5, 6])).map(
    lambda t: grouped(t[0], t[2], t[1]) if t[1] else t[0]
)

national = st.tuples(
    st.sampled_from("123456789"), st.text("0123456789", min_size=8, max_size=8)
).map("".join)


def phone_format(digits: str, style: int, sep: str) -> str:
    if style == 0:
        return digits
    if style == 1:
        return sep.join([digits[:3], digits[3:6], digits[6:]])
    # a landline: (22) 123 45 67
    return f"({digits[:2]}) {digits[2:5]}{sep}{digits[5:7]}{sep}{digits[7:]}"


polish_phones = st.builds(
    lambda prefix, digits, style, sep: prefix + phone_format(digits, style, sep),
    st.sampled_from(["", "+48 ", "+48", "0048 ", "(+48) ", "48 "]),
    national,
    st.integers(0, 2),
    st.sampled_from([" ", "-", ".", " - "]),
)

international_phones = st.builds(
    lambda cc, rest, sep: "+" + cc + sep + grouped(rest, 3, sep),
    st.sampled_from(["1", "44", "49", "420", "353"]),
    st.text("0123456789", min_size=6, max_size=11),
    st.sampled_from([" ", "-", ""]),
)

phones = st.one_of(polish_phones, international_phones)

# Text around a number: words and punctuation without digits, so the number stands on its own.
words = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzążźćęłńóś ,;:!?'\"/\n")),
    max_size=60,
)


def digits_of(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


# --- the three kinds, embedded anywhere in text ---------------------------------------------


@given(before=words, pesel=pesels, after=words)
def test_a_valid_pesel_anywhere_in_text_never_survives(before, pesel, after):
    masked = mask(f"{before} {pesel} {after}")
    assert pesel not in masked
    assert digits_of(masked) == ""
    assert PESEL_MARK in masked


@given(before=words, card=cards, after=words)
def test_a_card_number_anywhere_in_text_never_survives(before, card, after):
    masked = mask(f"{before} {card} {after}")
    assert card not in masked
    assert digits_of(masked) == ""
    assert CARD_MARK in masked


@given(before=words, phone=phones, after=words)
def test_a_phone_number_anywhere_in_text_never_survives(before, phone, after):
    masked = mask(f"{before} {phone} {after}")
    assert digits_of(masked) == ""
    assert PHONE_MARK in masked


@given(pesel=pesels, card=cards, phone=phones)
def test_several_numbers_in_one_note_are_all_masked(pesel, card, phone):
    masked = mask(f"PESEL {pesel}, card {card}, call {phone}; thanks")
    assert digits_of(masked) == ""
    assert masked.startswith(f"PESEL {PESEL_MARK}, card {CARD_MARK}, call ")
    assert masked.endswith(f"{PHONE_MARK}; thanks")


@given(text=st.text(max_size=200))
def test_masking_twice_changes_nothing_more_and_never_adds_digits(text):
    once = mask(text)
    assert mask(once) == once
    assert len(digits_of(once)) <= len(digits_of(text))


# --- examples, written the way agents write them --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 600 700 800 tomorrow", "call [phone] tomorrow"),
        ("tel. +48 (22) 123-45-67.", "tel. [phone]."),
        ("(22) 123 45 67 after 5", "[phone] after 5"),
        ("(+48) 600 700 800", "[phone]"),
        ("0048 600-700-800", "[phone]"),
        ("600.700.800 or 600700800", "[phone] or [phone]"),
        ("wife's number (601 202 303)", "wife's number [phone]"),
        ("+44 20 7946 0958 (UK)", "[phone] (UK)"),
        ("0049 30 1234567", "[phone]"),
        ("ID 123. 600 700 800", "ID 123. [phone]"),
        ("PESEL 44051401458 ok", f"PESEL {PESEL_MARK} ok"),
        ("card 4111 1111 1111 1111!", f"card {CARD_MARK}!"),
        ("Amex 3782-822463-10005", f"Amex {CARD_MARK}"),
        ("paid with 4111111111111111", f"paid with {CARD_MARK}"),
    ],
)
def test_numbers_written_the_way_agents_write_them_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "wants the 149.99 plan instead of 199,99 zł",
        "price 1 499,00 zł a year",
        "visit on 2026-12-03 at 14:30",
        "moving on 03.12.2026, new flat",
        "since 3/12/2026 or 1-2-2027",
        "order 12345678 and ticket 1234567",
        "card ending 1234, expires 12/27",
        "14-digit contract 12345678901234",
        "55 GB and 20 minutes, 5G",
        "",
        "no numbers at all",
    ],
)
def test_prices_dates_and_other_numbers_stay_as_written(text):
    assert mask(text) == text


def test_an_eleven_digit_number_failing_the_pesel_checksum_stays():
    assert not pesel_ok("44051401459")
    assert mask("ref 44051401459") == "ref 44051401459"


def test_eleven_digits_starting_48_are_a_phone_number_even_without_a_valid_pesel_checksum():
    assert mask("48600700800") == PHONE_MARK


def test_sixteen_digits_failing_luhn_are_still_taken_for_a_mistyped_card():
    assert not luhn_ok("4111111111111112")
    assert mask("card 4111 1111 1111 1112 ok") == f"card {CARD_MARK} ok"
    assert mask("4111-1111-1111-1112") == CARD_MARK


def test_other_lengths_failing_luhn_are_not_cards():
    assert not luhn_ok("411111111111112")  # 15 digits
    assert mask("ref 411111111111112") == "ref 411111111111112"


@given(
    amount=st.decimals(min_value=0, max_value=99999, places=2),
    day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)),
)
def test_any_price_or_date_stays(amount, day):
    text = (
        f"pays {amount} zł from {day.isoformat()} "
        f"({day.day:02d}.{day.month:02d}.{day.year}, {day.day}-{day.month}-{day.year})"
    )
    assert mask(text) == text


def test_the_checks_themselves():
    assert pesel_ok("02070803628")
    assert not pesel_ok("02070803627")
    assert not pesel_ok("0207080362")
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert not luhn_ok("")
