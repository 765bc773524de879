"""The one way the portal shows money, numbers, percentages and dates to a person.

Every figure a user reads goes through these helpers (Python: messages, notices, labels) or
their template filters (``{% load cvm_format %}``, cvm_portal/templatetags/cvm_format.py), so
a Polish agent reads "12 345,50 zł", "87,5%" and "3 grudnia 2026" and an English one reads
"PLN 12,345.50", "87.5%" and "3 December 2026". They format in the *active* language
(``translation.override`` in tasks that render for someone else), with Django's locale formats
(cvm_portal/formats/<lang>/formats.py adjusts Django's defaults) and always group thousands.

Python::

    from cvm_portal import formatting as fmt
    fmt.money(Decimal("12345.5"))          # "12 345,50 zł" / "PLN 12,345.50"
    fmt.money(1200, decimals=0)            # "1 200 zł" / "PLN 1,200"
    fmt.number(1234567)                    # "1 234 567" / "1,234,567"
    fmt.number(3.14159, decimals=2)        # "3,14" / "3.14"
    fmt.number(2.5, decimals=-2)           # "2,50" / "2.50", but 5 → "5" (like floatformat:"-2")
    fmt.percent(0.875, decimals=1)         # a fraction: "87,5%" / "87.5%"
    fmt.percent_points(87.5, decimals=1)   # already in per cent: same output
    fmt.date(day)                          # "3 grudnia 2026" / "3 December 2026"
    fmt.datetime(moment)                   # "3 grudnia 2026, 09:00" / "3 December 2026, 09:00"
    fmt.time(moment)                       # "09:00"; seconds=True: "09:00:07"
    fmt.day_month(day)                     # "3 grudnia" / "3 December" (week ranges)
    fmt.day_month(day, weekday=True)       # "Czw, 3 grudnia" / "Thu, 3 December"
    fmt.points(12)                         # "12 punktów" / "12 points" (bonus plans)

Templates::

    {% load cvm_format %}
    {{ offer.value|money }}  {{ offer.value|money:0 }}  {{ count|number }}  {{ x|number:1 }}
    {{ rate|percent }}  {{ rate|percent:1 }}  {{ points|percent_points }}
    {{ campaign.starts_at|day }}  {{ response.created_at|when }}  {{ slot|clock }}
    {{ week_start|day_month }}  {{ day|day_month:"weekday" }}  {{ heartbeat|clock:"seconds" }}

Rules that keep this the only way: no ``f"{x:,.0f}"`` / ``"%.1f"`` / ``|floatformat`` /
``|date:"Y-m-d"`` / a literal "PLN" for what users read; tests/cvm_portal/
test_no_adhoc_formatting.py walks the sources for them. Machine formats (CSV exports, JSON
for charts, API payloads) stay ISO dates and dot decimals on purpose.

Rounding is half-up (what people and accountants expect), not Django's truncation. A
negative ``decimals`` means "that many, or none when the value is whole" (shares such as 50% next
to 13.5%). ``None`` and ``""`` format as an empty string so a template can follow with
``|default:"—"``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import ngettext

# How a currency amount is written in each interface language. "{amount}" is the grouped
# number, "{unit}" the unit below; a non-breaking space keeps them on one line.
MONEY_PATTERNS = {"pl": "{amount}\xa0{unit}", "en": "{unit}\xa0{amount}"}
# The unit a reader of each language expects; a currency not listed shows its ISO code.
CURRENCY_UNITS = {"pl": {"PLN": "zł", "EUR": "€", "USD": "USD"}, "en": {}}
# Polish and English both write the sign right after the number (CLDR "#,##0%").
PERCENT_PATTERNS = {"pl": "{amount}%", "en": "{amount}%"}

Number = int | float | Decimal | str


def _language() -> str:
    """The active language's base code ("pl" for "pl-pl"), English when none is active."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def _decimal(value: Number) -> Decimal:
    """The value as a Decimal, so rounding is exact and half-up (floats go through str)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _rounded(value: Number, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    result = _decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return result + 0 if result == 0 else result  # no "-0"


def number(value: Number | None, decimals: int = 0) -> str:
    """A number with the locale's decimal mark and thousands grouping ("12 345,5" / "12,345.5").

    ``decimals=-N`` shows N decimals, or none when the rounded value is whole.
    """
    if value is None or value == "":
        return ""
    if decimals < 0:
        decimals = -decimals
        if _rounded(value, decimals) == _rounded(value, 0):
            decimals = 0
    return formats.number_format(
        _rounded(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def money(value: Number | None, *, currency: str | None = None, decimals: int = 2) -> str:
    """An amount with its currency as the reader writes it ("12 345,50 zł" / "PLN 12,345.50").

    The currency defaults to settings.CVM_CURRENCY; pass decimals=0 for rounded estimates.
    """
    if value is None or value == "":
        return ""
    code = (currency or settings.CVM_CURRENCY).upper()
    language = _language()
    unit = CURRENCY_UNITS.get(language, {}).get(code, code)
    amount = _decimal(value)
    digits = number(abs(amount), decimals)
    pattern = MONEY_PATTERNS.get(language, MONEY_PATTERNS["en"])
    text = pattern.format(amount=digits, unit=unit)
    return "-" + text if _rounded(amount, decimals) < 0 else text


def points(value: Number | None) -> str:
    """Bonus points with their word, up to two decimals ("12 points", "12.5 points")."""
    if value is None or value == "":
        return ""
    amount = _rounded(value, 2)
    shown = {"n": number(amount, -2)}
    if amount != amount.to_integral_value():
        # Plural rules count whole things; Polish writes a fraction with its own form ("punktu").
        return translation.pgettext("a fractional number of", "%(n)s points") % shown
    return ngettext("%(n)s point", "%(n)s points", int(amount)) % shown


def percent_points(value: Number | None, decimals: int = 0) -> str:
    """A value already in per cent (87.5 → "87,5%" / "87.5%")."""
    if value is None or value == "":
        return ""
    pattern = PERCENT_PATTERNS.get(_language(), PERCENT_PATTERNS["en"])
    return pattern.format(amount=number(value, decimals))


def percent(value: Number | None, decimals: int = 0) -> str:
    """A fraction as a percentage (0.875 → "88%", or "87,5%" with decimals=1)."""
    if value is None or value == "":
        return ""
    return percent_points(_decimal(value) * 100, decimals)


def _local(value: dt.datetime) -> dt.datetime:
    """An aware moment in the current time zone (Europe/Warsaw unless activated otherwise)."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def date(value: dt.date | dt.datetime | None) -> str:
    """A calendar day in words ("3 grudnia 2026" / "3 December 2026")."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def datetime(value: dt.datetime | None) -> str:
    """A moment in local time ("3 grudnia 2026, 09:00" / "3 December 2026, 09:00")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return date(value)
    return formats.date_format(_local(value), "DATETIME_FORMAT", use_l10n=True)


def time(value: dt.time | dt.datetime | None, *, seconds: bool = False) -> str:
    """A time of day in 24-hour local time ("09:00"); with seconds for live progress ("09:00:07").

    Both interface languages write 24-hour times with colons, so seconds are simply appended.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
    if seconds:
        return dateformat.time_format(value, formats.get_format("TIME_FORMAT") + ":s")
    return formats.time_format(value, "TIME_FORMAT", use_l10n=True)


def day_month(value: dt.date | dt.datetime | None, *, weekday: bool = False) -> str:
    """A day without its year, for ranges and calendars ("3 grudnia" / "3 December").

    With ``weekday`` the abbreviated day name comes first ("Czw, 3 grudnia" / "Thu, 3 December").
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    text = formats.date_format(value, "MONTH_DAY_FORMAT", use_l10n=True)
    if weekday:
        # Translators: an abbreviated weekday before a day and month, e.g. "Thu, 3 December".
        text = translation.pgettext("weekday and day", "%(weekday)s, %(day)s") % {
            "weekday": dateformat.format(value, "D"),
            "day": text,
        }
    return text


def parse_number(value: object) -> Decimal | None:
    """The value as a Decimal, or None when it is not a number (template filters stay silent)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return _decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        return None
