"""Masking personal numbers out of free text before it is stored.

``mask(text)`` replaces, in what an agent typed:

- Polish national id numbers (PESEL) — 11 digits whose checksum is right
  (weights 1, 3, 7, 9, 1, 3, 7, 9, 1, 3) — with ``[PESEL]``;
- payment card numbers — 13 to 19 digits, spaces or dashes allowed, passing the Luhn check —
  with ``[card]``;
- phone numbers — Polish 9-digit numbers, optionally after +48 / 0048 / 48, written with spaces, dashes, dots or brackets; international numbers after ``+`` or
  ``00`` (7 to 15 digits) — with ``[phone]``.

The markers are stored data, not interface text: they stay the same in every language (an
English and a Polish reader both see ``[phone]``), so reports and exports can count them and
nothing has to be translated after the fact.

How numbers are read. A *run* is a sequence of digit groups separated only by short gaps of
spaces, one dash, brackets, or a single dot ("+48 (22) 123-45-67", "4111 1111 1111 1111",
"600.700.800"); letters, commas, slashes, colons, line breaks, a dot with a space ("123. 600")
and dates ("2026-12-03", "03.12.2026") end a run. Groups are never
split: the digits of "12345678901234" are one 14-digit number, not a 9-digit phone number
with digits around it. Within a run the leftmost, longest span of whole groups that is a card,
a PESEL or a phone number is masked, then the search carries on after it, so
"ID 123. 600 700 800" masks the phone number and keeps "123".

Decisions about what is *not* masked, and what is masked although it fails a check:

- A price or an amount ("149.99", "1 499,00 zł") and a date ("2026-12-03", "03.12.2026") have
  too few digits to be any of the three and stay as they are.
- An 11-digit number that fails the PESEL checksum is not a national id and stays (an order
  or ticket number, or a mistyped id); the checksum is what tells an id from any other
  11-digit number. Unless it is a phone number written with 48 in front ("48600700800").
- A run of exactly 16 digits that fails the Luhn check is masked as ``[card]`` all the same:
  16 digits is the shape of almost every Visa and Mastercard number, a card read out over the
  phone is easily mistyped by one digit (and would still give away 15 of 16), and nothing
  else an agent writes in a note has 16 digits. Other lengths must pass Luhn.
- A 15-digit device IMEI passes the Luhn check and is masked as ``[card]``; masking an
  identifier too many is the safe mistake.
- Three groups of three digits ("600 700 800") are a phone number even when they were meant
  as an amount; Polish numbers are written the same way. Nine digits starting with 0 are not
  a Polish number and stay.
- Only ASCII digits are read.
"""

from __future__ import annotations

import re

PESEL_MARK = "[PESEL]"
CARD_MARK = "[card]"
PHONE_MARK = "[phone]"

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)

_GROUP = re.compile(r"[0-9]+")
# What may stand between two digit groups of one number: up to four characters of spaces
# (incl. no-break), brackets and at most one dash; or a single dot ("600.700.800", while
# "123. 600" is a sentence ending before a number).
_GAP = re.compile(r"[ \u00a0()\-\u2013]{1,4}|\.")
_DASHES = re.compile(r"[\-\u2013]")
# Dates are never read as (part of) a number: 2026-12-03, 03.12.2026, 3-12-2026, 03/12/2026.
_DATE = re.compile(
    r"(?<![0-9])(?<![0-9][\-.])"
    r"(?:[12][0-9]{3}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])"
    r"|(?:0?[1-9]|[12][0-9]|3[01])([\-./])(?:0?[1-9]|1[0-2])\1[12][0-9]{3})"
    r"(?![\-.]?[0-9])"
)


def pesel_ok(digits: str) -> bool:
    """Whether 11 digits carry a valid PESEL checksum."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, PESEL_WEIGHTS, strict=False))
    return (10 - total % 10) % 10 == int(digits[10])


def luhn_ok(digits: str) -> bool:
    """Whether digits pass the Luhn check (payment cards, IMEI)."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _gap_joins(gap: str) -> bool:
    return (
        bool(_GAP.fullmatch(gap))
        and len(_DASHES.findall(gap)) <= 1
        and gap.count("(") <= 1
        and gap.count(")") <= 1
    )


def _runs(text: str) -> list[tuple[bool, list[re.Match[str]]]]:
    """Digit groups of the text joined into runs; each run says whether a "+" opens it."""
    runs: list[tuple[bool, list[re.Match[str]]]] = []
    current: list[re.Match[str]] = []
    dates = [m.span() for m in _DATE.finditer(text)]
    for group in _GROUP.finditer(text):
        if any(start <= group.start() < end for start, end in dates):
            if current:
                runs.append((_opens_with_plus(text, current[0].start()), current))
            current = []
            continue
        if current and _gap_joins(text[current[-1].end() : group.start()]):
            current.append(group)
            continue
        if current:
            runs.append((_opens_with_plus(text, current[0].start()), current))
        current = [group]
    if current:
        runs.append((_opens_with_plus(text, current[0].start()), current))
    return runs


def _opens_with_plus(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].replace(" ", "").replace("(", "")
    return before.endswith("+")


def _kind(digits: str, *, plus: bool, first: str) -> str | None:
    """The marker for one span's digits (``first``: its first group), or None when it is none
    of the three."""
    n = len(digits)
    if plus:  # nobody writes an id or a card number after a "+"
        return PHONE_MARK if 7 <= n <= 15 else None
    if n == 11 and first in ("48", "0048") and digits[2] != "0":
        return PHONE_MARK  # "48 600 700 800": the country code written apart
    if 13 <= n <= 19 and digits[0] != "0" and luhn_ok(digits):
        return CARD_MARK
    if n == 11 and pesel_ok(digits):
        return PESEL_MARK
    if digits.startswith("00") and 9 <= n <= 17 and digits[2] != "0":
        return PHONE_MARK  # 00 + an international number (0048 600 700 800)
    if n == 9 and digits[0] != "0":
        return PHONE_MARK
    if n == 11 and digits.startswith("48") and digits[2] != "0":
        return PHONE_MARK  # 48 without the plus
    return None


_LONGEST = 19  # no span of interest has more digits (a card; 00 + 15 is 17)


def _spans(plus: bool, groups: list[re.Match[str]]) -> list[tuple[int, int, str]]:
    """(start, end, marker) of what to mask in one run."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(groups):
        # Candidate ends for spans starting at group i, shortest first.
        candidates: list[tuple[int, str]] = []
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j].group()
            if len(digits) > _LONGEST:
                break
            candidates.append((j, digits))
        for j, span_digits in reversed(candidates):
            marker = _kind(span_digits, plus=plus and i == 0, first=groups[i].group())
            if marker:
                start = groups[i].start()
                if plus and i == 0:
                    start = _plus_position(groups[i].string, start)
                found.append((start, groups[j].end(), marker))
                i = j + 1
                break
        else:
            i += 1
    if not found:
        whole = "".join(g.group() for g in groups)
        if len(whole) == 16:
            found.append((groups[0].start(), groups[-1].end(), CARD_MARK))
    return found


def _plus_position(text: str, start: int) -> int:
    k = start
    while k > 0 and text[k - 1] in " (":
        k -= 1
    return k - 1 if k > 0 and text[k - 1] == "+" else start


def mask(text: str) -> str:
    """The text with PESEL, card and phone numbers replaced by [PESEL], [card], [phone]."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    spans: list[tuple[int, int, str]] = []
    for plus, groups in _runs(text):
        spans.extend(_spans(plus, groups))
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end, marker in sorted(spans):
        # A bracket opened just before a masked number goes with it when the number closes it
        # ("(22) 123 45 67") or it is closed just after ("(600 700 800)").
        if start > last and text[start - 1] == "(":
            inside = text[start:end]
            if inside.count(")") > inside.count("("):
                start -= 1
            elif text[end : end + 1] == ")":
                start, end = start - 1, end + 1
        out.append(text[last:start])
        out.append(marker)
        last = end
    out.append(text[last:])
    return "".join(out)
