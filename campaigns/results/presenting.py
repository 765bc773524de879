"""How a campaign's uplift reads on its page: rates in per cent, the uplift in percentage
points, money in the portal's currency, each interval beside its estimate, in the active
language's number format (through cvm_portal/formatting.py, as every page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cvm_portal import formatting as fmt

from .uplift import Interval, Uplift, Verdict


def percent(rate: float | None, places: int = 2) -> str:
    return "—" if rate is None else fmt.percent(rate, places)


def points(difference: float | None) -> str:
    """An absolute uplift in percentage points, signed."""
    if difference is None:
        return "—"
    return _("%(sign)s%(value)s pp") % {
        "sign": "+" if difference > 0 else "",
        "value": fmt.number(100 * difference, 2),
    }


def signed_percent(value: float | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + percent(value, 1)


def between(interval: Interval | None, show) -> str:
    if interval is None:
        return ""
    return _("95%% CI %(low)s to %(high)s") % {
        "low": show(interval.low),
        "high": show(interval.high),
    }


def money(value) -> str:
    return "—" if value is None else fmt.money(value)


def count(value: float | None) -> str:
    return "—" if value is None else fmt.number(value)


@dataclass(frozen=True)
class Arm:
    name: str
    members: int
    conversions: int
    rate: str


@dataclass(frozen=True)
class Line:
    label: str
    estimate: str
    interval: str


@dataclass(frozen=True)
class UpliftView:
    """An ``Uplift`` as its page shows it."""

    verdict: str  # Verdict's value: the page styles it
    verdict_text: str
    arms: list[Arm]
    lines: list[Line]


def view(u: Uplift) -> UpliftView:
    arms = [
        Arm(_("Treatment (target group outside the control group)"), u.treatment_members,
            u.treatment_conversions, percent(u.treatment_rate)),
        Arm(_("Control group (held out)"), u.control_members, u.control_conversions,
            percent(u.control_rate)),
    ]  # fmt: skip
    lines = []
    if u.verdict != Verdict.NO_DATA:
        lines = [
            Line(
                _("Absolute uplift"), points(u.difference), between(u.difference_interval, points)
            ),
            Line(
                _("Relative uplift"),
                signed_percent(u.relative),
                between(u.relative_interval, signed_percent)
                if u.relative_interval
                else _("no interval: the control group has no conversion"),
            ),
            Line(
                _("Incremental conversions"),
                count(u.incremental_conversions),
                between(u.incremental_conversions_interval, count),
            ),
            Line(
                _("Incremental annual value"),
                money(u.incremental_annual_value),
                between(u.incremental_annual_value_interval, money),
            ),
        ]
    return UpliftView(u.verdict.value, u.verdict_text, arms, lines)
