"""Row rules of the loads, in Python: the batched path (SQLite) and the customer snapshot.

The PostgreSQL fast path applies the same rules in SQL (``campaigns/loads/postgres.py``); tests run the
same hostile files through both and expect the same reasons.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from campaigns import channel_registry
from campaigns.choices import CONTACT_FLAG_FIELDS, RejectReason, Segment, ValueTier
from campaigns.phones import normalise_phone

# The same patterns are used in SQL by campaigns.loads.postgres (exponents capped so every match casts).
NUMBER_PATTERN = r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,2})?\s*$"
INTEGER_PATTERN = r"^\s*[-+]?[0-9]{1,10}\s*$"
NUMBER_RE = re.compile(NUMBER_PATTERN)
INTEGER_RE = re.compile(INTEGER_PATTERN)
# Ranges, and how the rejection detail states them.
RANGES = {
    "propensity": (0, 1, "0 to 1"),
    "expected_value": (0, 9_999_999_999, "0 to 9999999999"),
    "rank": (1, 2_147_483_647, "1 to 2147483647"),
}
# A member's ``reason``: the sentence an agent reads under "Why" and a digital channel receives.
# Cleaned the same way on both paths (``clean_reason`` here; ``member_sql`` in SQL, with these
# same patterns, made of the characters themselves so that Python's and PostgreSQL's regular
# expressions read them alike): invisible formatting characters (zero-width, bidirectional
# controls) removed, control characters and any run of whitespace made one space, the ends
# trimmed. A cleaned reason longer than REASON_MAX_LENGTH, or with markup (“<” before a letter,
# “/”, “!” or “?”), rejects the row: an agent never reads half a sentence, and no channel is
# handed a tag.
REASON_MAX_LENGTH = 200
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_SPACES_BUT_SPACE = "\x01-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
REASON_INVISIBLE = f"[{_INVISIBLE}]"
REASON_SPACES = f"[ {_SPACES_BUT_SPACE}]+"
REASON_MARKUP = "<[A-Za-z/!?]"
# What a clean reason never has (the fast path checks the few rows that do one by one).
REASON_UNCLEAN = f"[{_INVISIBLE}{_SPACES_BUT_SPACE}]|  |^ | $|{REASON_MARKUP}"
_INVISIBLE_RE = re.compile(REASON_INVISIBLE)
_SPACES_RE = re.compile(REASON_SPACES)
_MARKUP_RE = re.compile(REASON_MARKUP)
TRUE_WORDS = {"1", "true", "t", "yes", "y"}
FALSE_WORDS = {"0", "false", "f", "no", "n", ""}


class Reject(Exception):  # noqa: N818 - it is a result, not a failure of the program
    def __init__(self, reason: RejectReason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def past_date(column: str, text: str, today: date) -> date:
    """``text`` as a YYYY-MM-DD date no later than ``today``, or the row's rejection naming
    ``column``."""
    try:
        if not DATE_RE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise Reject(
            RejectReason.BAD_DATE,
            _("%(column)s “%(value)s” is not YYYY-MM-DD") % {"column": column, "value": text[:40]},
        ) from exc
    if day > today:
        raise Reject(
            RejectReason.OUT_OF_RANGE,
            _("%(column)s %(value)s is in the future")
            % {"column": column, "value": day.isoformat()},
        )
    return day


def not_a_number(column: str, value: str, *, whole: bool = False) -> Reject:
    text = (
        "%(column)s “%(value)s” is not a whole number"
        if whole
        else "%(column)s “%(value)s” is not a number"
    )
    return Reject(RejectReason.BAD_NUMBER, text % {"column": column, "value": value.strip()[:40]})


def out_of_range(column: str, value: str) -> Reject:
    return Reject(
        RejectReason.OUT_OF_RANGE,
        f"{column} {value.strip()[:40]} is out of range ({RANGES[column][2]})",
    )


def parse_float(value: str, column: str) -> Decimal | None:
    if not value.strip():
        return None
    if not NUMBER_RE.match(value):
        raise not_a_number(column, value)
    number = Decimal(value.strip())
    low, high, _text = RANGES[column]
    if number < low or (high is not None and number > high):
        raise out_of_range(column, value)
    return number


def parse_int(value: str, column: str) -> int | None:
    if not value.strip():
        return None
    if not INTEGER_RE.match(value):
        raise not_a_number(column, value, whole=True)
    number = int(value)
    low, high, _text = RANGES[column]
    if not low <= number <= high:
        raise out_of_range(column, value)
    return number


def clean_reason(text: str) -> str:
    """A member's reason as it is stored and shown (see REASON_MAX_LENGTH), or Reject."""
    cleaned = _SPACES_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip(" ")
    markup = _MARKUP_RE.search(cleaned)
    if markup:
        raise Reject(RejectReason.BAD_TEXT, f"reason contains markup (“{markup.group(0)}”)")
    if len(cleaned) > REASON_MAX_LENGTH:
        raise Reject(
            RejectReason.BAD_TEXT,
            f"reason is {len(cleaned)} characters long (at most {REASON_MAX_LENGTH})",
        )
    return cleaned


def parse_member(fields: dict[str, str]) -> dict:
    """The typed values of a target-group row, or Reject (customer and offer are checked by the caller)."""
    customer = fields.get("customer_id", "").strip()
    if not customer:
        raise Reject(RejectReason.MISSING_VALUE, "customer_id is empty")
    propensity = parse_float(fields.get("propensity", ""), "propensity")
    expected = parse_float(fields.get("expected_value", ""), "expected_value")
    rank = parse_int(fields.get("rank", ""), "rank")
    reason = clean_reason(fields.get("reason", ""))
    return {
        "customer": customer,
        "offer_code": fields.get("offer_code", "").strip(),
        "propensity": float(propensity) if propensity is not None else None,
        "expected_value": expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if expected is not None
        else None,
        "rank": rank,
        "reason": reason,
    }


def _bool(value: str, column: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Reject(
        RejectReason.BAD_BOOLEAN,
        _("%(column)s “%(value)s” is not yes/no") % {"column": column, "value": value[:40]},
    )


def _choice(value: str, column: str, choices, *, blank: bool = False) -> str:
    """``value`` as one of ``choices`` (a TextChoices, or a list of values), or Reject."""
    allowed = list(getattr(choices, "values", choices))
    word = value.strip().lower()
    if blank and not word:
        return ""
    if word not in allowed:
        raise Reject(
            RejectReason.BAD_CHOICE,
            _("%(column)s “%(value)s” is not one of %(allowed)s")
            % {"column": column, "value": value[:40], "allowed": ", ".join(allowed)},
        )
    return word


def parse_customer(fields: dict[str, str], *, today: date) -> dict:
    """The typed values of a customer-snapshot row, or Reject."""
    values = {}
    for column in ("customer_id", "phone", "name", "segment", "value_tier", "customer_since"):
        if not fields.get(column, "").strip():
            raise Reject(RejectReason.MISSING_VALUE, _("%(column)s is empty") % {"column": column})
    values["external_id"] = fields["customer_id"].strip()[:64]
    try:
        values["phone"] = normalise_phone(fields["phone"])
    except ValidationError as exc:
        raise Reject(RejectReason.BAD_PHONE, exc.messages[0]) from exc
    values["name"] = fields["name"].strip()[:200]
    values["segment"] = _choice(fields["segment"], "segment", Segment)
    values["value_tier"] = _choice(fields["value_tier"], "value_tier", ValueTier)
    try:
        since = date.fromisoformat(fields["customer_since"].strip())
    except ValueError as exc:
        raise Reject(
            RejectReason.BAD_DATE,
            _("customer_since “%(value)s” is not YYYY-MM-DD")
            % {"value": fields["customer_since"][:40]},
        ) from exc
    if since > today:
        raise Reject(
            RejectReason.OUT_OF_RANGE,
            _("customer_since %(value)s is in the future") % {"value": since},
        )
    values["customer_since"] = since
    values["preferred_channel"] = _choice(
        fields.get("preferred_channel", ""),
        "preferred_channel",
        channel_registry.codes(),
        blank=True,
    )
    for column in CONTACT_FLAG_FIELDS:
        values[column] = _bool(fields[column], column)
    if "products" in fields:
        values["holdings"] = parse_products(fields["products"])
    return values


PRODUCT_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,39}")


def parse_products(text: str) -> list[str]:
    """The product codes of a ``products`` cell: separated by spaces or “;”, any case; sorted, unique."""
    codes = sorted({code.upper() for code in re.split(r"[\s;]+", text.strip()) if code})
    bad = [code for code in codes if not PRODUCT_CODE_RE.fullmatch(code)]
    if bad:
        raise Reject(
            RejectReason.BAD_CODE,
            _("products: “%(code)s” is not a product code (2–40 letters, digits, “-” or “_”)")
            % {"code": bad[0][:40]},
        )
    return codes
