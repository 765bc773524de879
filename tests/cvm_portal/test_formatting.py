"""Money, numbers, percentages and dates read the way each interface language writes them."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from cvm_portal import formatting as fmt

NBSP = "\xa0"
WARSAW = ZoneInfo("Europe/Warsaw")


def in_language(language, function, *args, **kwargs):
    with translation.override(language):
        return function(*args, **kwargs)


def test_money_in_polish_puts_zl_after_grouped_amount_with_decimal_comma():
    assert in_language("pl", fmt.money, Decimal("12345.5")) == f"12{NBSP}345,50{NBSP}zł"


def test_money_in_english_puts_the_currency_code_first():
    assert in_language("en", fmt.money, Decimal("12345.5")) == f"PLN{NBSP}12,345.50"


def test_money_rounds_half_up_and_can_drop_decimals():
    assert in_language("pl", fmt.money, 1199.5, decimals=0) == f"1{NBSP}200{NBSP}zł"
    assert in_language("en", fmt.money, Decimal("2.675")) == f"PLN{NBSP}2.68"


def test_money_shows_a_minus_before_the_whole_amount():
    assert in_language("en", fmt.money, -3.456) == f"-PLN{NBSP}3.46"
    assert in_language("pl", fmt.money, -3.456) == f"-3,46{NBSP}zł"


def test_money_uses_the_currency_from_settings(settings):
    settings.CVM_CURRENCY = "EUR"
    assert in_language("pl", fmt.money, 10) == f"10,00{NBSP}€"
    assert in_language("en", fmt.money, 10) == f"EUR{NBSP}10.00"


def test_numbers_are_grouped_with_the_locale_marks():
    assert in_language("pl", fmt.number, 1234567) == f"1{NBSP}234{NBSP}567"
    assert in_language("en", fmt.number, 1234567) == "1,234,567"
    assert in_language("pl", fmt.number, 1500, 2) == f"1{NBSP}500,00"
    assert in_language("en", fmt.number, 3.14159, 2) == "3.14"


def test_percent_takes_a_fraction_and_percent_points_takes_per_cent():
    assert in_language("pl", fmt.percent, 0.875, 1) == "87,5%"
    assert in_language("en", fmt.percent, 0.875, 1) == "87.5%"
    assert in_language("en", fmt.percent, 0.875) == "88%"
    assert in_language("pl", fmt.percent_points, 87.5, 1) == "87,5%"
    assert in_language("en", fmt.percent_points, 45) == "45%"


def test_dates_are_written_out_with_polish_genitive_months():
    day = dt.date(2026, 12, 3)
    assert in_language("pl", fmt.date, day) == "3 grudnia 2026"
    assert in_language("en", fmt.date, day) == "3 December 2026"


def test_moments_show_in_local_time():
    moment = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)  # 09:00 in Warsaw
    assert in_language("pl", fmt.datetime, moment) == "3 grudnia 2026, 09:00"
    assert in_language("en", fmt.datetime, moment) == "3 December 2026, 09:00"
    assert in_language("en", fmt.time, moment) == "09:00"
    assert in_language("pl", fmt.date, dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)) == (
        "4 grudnia 2026"
    )


def test_empty_values_format_as_nothing():
    for function in (fmt.money, fmt.number, fmt.percent, fmt.date, fmt.datetime, fmt.time):
        assert function(None) == ""


def render(language, source, **context):
    with translation.override(language):
        return Template("{% load cvm_format %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", f"12{NBSP}345,50{NBSP}zł|1{NBSP}200{NBSP}zł|4{NBSP}321|87,5%|45%|3 grudnia 2026"),
        ("en", f"PLN{NBSP}12,345.50|PLN{NBSP}1,200|4,321|87.5%|45%|3 December 2026"),
    ],
)
def test_template_filters_match_the_python_helpers(language, expected):
    text = render(
        language,
        "{{ v|money }}|{{ v2|money:0 }}|{{ n|number }}|{{ r|percent:1 }}|{{ p|percent_points }}"
        "|{{ d|day }}",
        v=Decimal("12345.5"),
        v2=1200,
        n=4321,
        r=0.875,
        p=45,
        d=dt.date(2026, 12, 3),
    )
    assert text == expected


def test_template_filters_show_moments_and_times():
    moment = dt.datetime(2026, 12, 3, 9, 5, tzinfo=WARSAW)
    assert render("pl", "{{ m|when }} · {{ m|clock }}", m=moment) == "3 grudnia 2026, 09:05 · 09:05"


def test_template_filters_leave_what_is_not_a_number_as_it_is():
    assert render("en", "{{ v|money }}|{{ n|number }}|{{ e|money }}", v="n/a", n=None, e="") == (
        "n/a||"
    )


def test_negative_decimals_drop_the_decimals_of_whole_values_only():
    assert in_language("en", fmt.percent_points, 50.0, -1) == "50%"
    assert in_language("pl", fmt.percent_points, 13.46, -1) == "13,5%"
    assert in_language("en", fmt.number, 2.5, -2) == "2.50"
    assert in_language("pl", fmt.number, 1200.004, -2) == f"1{NBSP}200"


def test_a_day_without_its_year_for_ranges_and_calendars():
    day = dt.date(2026, 12, 3)  # a Thursday
    assert in_language("pl", fmt.day_month, day) == "3 grudnia"
    assert in_language("en", fmt.day_month, day) == "3 December"
    assert in_language("en", fmt.day_month, day, weekday=True) == "Thu, 3 December"
    assert render("pl", '{{ d|day_month }} – {{ d|day_month:"weekday" }}', d=day) == (
        "3 grudnia – Czw, 3 grudnia"
    )


def test_live_progress_can_show_seconds():
    moment = dt.datetime(2026, 12, 3, 9, 5, 7, tzinfo=WARSAW)
    assert render("en", '{{ m|clock:"seconds" }} {{ m|clock }}', m=moment) == "09:05:07 09:05"


def test_bonus_points_carry_their_word_in_the_right_plural():
    assert in_language("en", fmt.points, 1) == "1 point"
    assert in_language("en", fmt.points, Decimal("1200.00")) == "1,200 points"
    assert render("en", "{{ p|points }}", p=Decimal("12.5")) == "12.50 points"
