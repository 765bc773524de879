"""Bonus amounts read in their plan's unit: money with its currency, points with their word."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from channels.choices import PlanUnit
from channels.models.bonus import BonusPlan


def shown(plan, value, language="en"):
    with translation.override(language):
        template = Template("{% load bonus_format %}{{ v|plan_amount:plan }}")
        return template.render(Context({"v": value, "plan": plan}))


def test_a_money_plan_shows_its_amounts_with_the_currency_as_the_reader_writes_it():
    plan = BonusPlan(unit=PlanUnit.MONEY)
    assert shown(plan, Decimal("1234.5")) == "PLN\xa01,234.50"
    assert shown(plan, Decimal("1234.5"), "pl") == "1\xa0234,50\xa0zł"


def test_a_points_plan_never_shows_its_amounts_as_money():
    plan = BonusPlan(unit=PlanUnit.POINTS)
    assert shown(plan, Decimal("40.00")) == "40 points"
    assert shown(plan, Decimal("1.00")) == "1 point"


def test_no_amount_shows_nothing_and_text_stays_as_it_is():
    plan = BonusPlan(unit=PlanUnit.MONEY)
    assert shown(plan, None) == "" and shown(plan, "n/a") == "n/a"
