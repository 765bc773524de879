"""Template filters for money, numbers, percentages and dates: ``{% load cvm_format %}``.

Thin wrappers over cvm_portal/formatting.py (read its docstring for the outputs) so a page and
a message show a figure the same way. A value that is not a number or a date renders as it is
(never an exception in the middle of a page); None renders empty, so follow with
``|default:"—"`` where a dash reads better.

    {{ value|money }}  {{ value|money:0 }}       12 345,50 zł / PLN 12,345.50
    {{ count|number }}  {{ ratio|number:2 }}     1 234 / 1,234
    {{ rate|percent }}  {{ rate|percent:1 }}     a fraction: 0.875 → 88% / 87,5%
    {{ points|percent_points:1 }}               already per cent: 87.5 → 87,5%
    {{ some_date|day }}                          3 grudnia 2026 / 3 December 2026
    {{ some_moment|when }}                       3 grudnia 2026, 09:00
    {{ some_moment|clock }}                      09:00
    {{ heartbeat|clock:"seconds" }}              09:00:07
    {{ week_start|day_month }}                   3 grudnia / 3 December
    {{ some_date|day_month:"weekday" }}          Czw, 3 grudnia / Thu, 3 December
    {{ bonus_points|points }}                    12 punktów / 12 points
"""

import datetime as dt

from django import template

from cvm_portal import formatting

register = template.Library()


def _as_number(value):
    if value is None or value == "":
        return None, ""
    parsed = formatting.parse_number(value)
    return parsed, (value if parsed is None else None)


@register.filter
def money(value, decimals=2):
    """An amount in settings.CVM_CURRENCY; ``|money:0`` for whole units."""
    parsed, fallback = _as_number(value)
    if parsed is None:
        return fallback
    return formatting.money(parsed, decimals=int(decimals))


@register.filter
def number(value, decimals=0):
    """A grouped number with the locale's decimal mark."""
    parsed, fallback = _as_number(value)
    if parsed is None:
        return fallback
    return formatting.number(parsed, int(decimals))


@register.filter
def percent(value, decimals=0):
    """A fraction (0..1) as a percentage."""
    parsed, fallback = _as_number(value)
    if parsed is None:
        return fallback
    return formatting.percent(parsed, int(decimals))


@register.filter
def percent_points(value, decimals=0):
    """A value already in per cent (0..100) with the locale's sign."""
    parsed, fallback = _as_number(value)
    if parsed is None:
        return fallback
    return formatting.percent_points(parsed, int(decimals))


@register.filter
def points(value):
    """Bonus points with their word."""
    parsed, fallback = _as_number(value)
    if parsed is None:
        return fallback
    return formatting.points(parsed)


@register.filter
def day_month(value, weekday=""):
    """A date without its year; ``|day_month:"weekday"`` puts the day's name first."""
    if isinstance(value, (dt.date, dt.datetime)):
        return formatting.day_month(value, weekday=bool(weekday))
    return "" if value is None else value


@register.filter
def day(value):
    """A date (or the local date of a moment) in words."""
    if isinstance(value, (dt.date, dt.datetime)):
        return formatting.date(value)
    return "" if value is None else value


@register.filter
def when(value):
    """A moment as local date and time."""
    if isinstance(value, (dt.date, dt.datetime)):
        return formatting.datetime(value)
    return "" if value is None else value


@register.filter
def clock(value, seconds=""):
    """A time of day, 24-hour; ``|clock:"seconds"`` adds the seconds."""
    if isinstance(value, (dt.time, dt.datetime)):
        return formatting.time(value, seconds=bool(seconds))
    return "" if value is None else value
