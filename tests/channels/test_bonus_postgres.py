"""Statements under real concurrency, on PostgreSQL: recomputed at once, written once."""

import threading

import pytest
from django.db import connections

from channels.bonus.statements import close_period, refresh_statement
from channels.models import BonusLine, BonusStatement
from tests.factories import NOW, at, bonus_plan, bonus_world, recorded

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _role_groups():
    """Transactional tests empty every table afterwards, migration-made role groups included."""
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()


def _at_once(n: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_ten_simultaneous_first_recomputes_make_one_statement_with_each_line_once():
    # Given an agent with five conversions and no statement yet
    w = bonus_world()
    p = bonus_plan()
    for day in range(1, 6):
        recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, day)))

    # When ten requests recompute it at the same moment
    errors = _at_once(10, lambda _i: refresh_statement(plan=p, agent=w.agent, now=NOW))

    # Then there is one statement, with each conversion once, and its total is their sum
    assert errors == []
    statement = BonusStatement.objects.get()
    assert BonusLine.objects.filter(statement=statement).count() == 5
    assert statement.total == sum(statement.lines.values_list("amount", flat=True))


def test_recomputes_racing_the_close_never_unfreeze_a_statement():
    # Given a month with conversions of three agents
    w = bonus_world()
    p = bonus_plan()
    for agent in (w.agent, w.colleague, w.lead):
        recorded(agent, w.dear, w.campaign, when=at((2026, 3, 2)))

    # When the manager closes the period while agents keep opening their statements
    def work(i: int) -> None:
        if i == 0:
            close_period(plan=p, user=w.lead, now=NOW)
        else:
            for agent in (w.agent, w.colleague, w.lead):
                refresh_statement(plan=p, agent=agent, now=NOW)

    errors = _at_once(6, work)

    # Then every statement is frozen with its one line
    assert errors == [], [str(e) for e in errors]
    assert list(BonusStatement.objects.values_list("status", flat=True)) == ["frozen"] * 3
    assert BonusLine.objects.count() == 3
