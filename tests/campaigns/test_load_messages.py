"""Load reasons and bonus statement lines are stored as codes and worded in the reader's language."""

import pytest
from django.utils import translation

from campaigns.choices import LoadKind, LoadStatus
from campaigns.loads.messages import MESSAGES as LOAD_MESSAGES
from campaigns.loads.messages import Problem
from campaigns.models import LoadRun
from channels.bonus.arithmetic import Line
from channels.bonus.messages import MESSAGES as LINE_MESSAGES

NBSP = "\xa0"


@pytest.mark.django_db
def test_a_stored_load_error_reads_in_the_readers_language():
    run = LoadRun(kind=LoadKind.CUSTOMERS, target="customers", file_name="customers__20261203.csv")
    run.status = LoadStatus.FAILED
    run.set_error("too_many_rejected", rejected=1234, total=20000, share_pct=6.17, limit_pct=5.0)
    run.save()
    run.refresh_from_db()
    assert run.error_code == "too_many_rejected"
    with translation.override("en"):
        assert run.error.startswith("1,234 of 20,000 rows were rejected (6.2%)")
    with translation.override("pl"):
        polish = run.error
    assert f"1{NBSP}234" in polish and f"20{NBSP}000" in polish and "6,2%" in polish


@pytest.mark.django_db
def test_an_earlier_load_is_named_with_a_local_date_in_each_language():
    run = LoadRun.objects.create(kind=LoadKind.CUSTOMERS, target="customers", file_name="x.csv")
    run.set_error("same_file", run=7, loaded_at="2026-12-03T08:00:00+00:00")
    with translation.override("en"):
        assert "run #7 on 3 December 2026, 09:00" in run.error
    with translation.override("pl"):
        assert "3 grudnia 2026, 09:00" in run.error


def test_a_runs_older_text_shows_as_it_was_written():
    run = LoadRun(error_code="legacy", error_params={"text": "Old English sentence."})
    with translation.override("pl"):
        assert run.error == "Old English sentence."


def test_a_nested_reason_is_worded_too():
    problem = Problem("gave_up", n=3, error=Problem("snapshot_loading").as_param())
    with translation.override("en"):
        assert str(problem) == (
            "Gave up after 3 attempts: "
            "a customer snapshot of the same or an earlier date is still loading"
        )


def test_every_load_message_takes_the_parameters_it_names():
    for code, message in LOAD_MESSAGES.items():
        assert "%(" not in str(message) % _Anything(), code


def test_a_statement_line_reads_in_the_readers_language():
    line = Line(
        "clawback", -10, "clawback", {"cancelled_day": "2026-12-03", "days": 14, "offer": "Fibre"}
    )
    with translation.override("en"):
        assert line.description == "Cancelled 3 December 2026, within 14 days: Fibre"
    with translation.override("pl"):
        assert "3 grudnia 2026" in line.description and "Fibre" in line.description
    cap = Line("cap", -5, "cap", {"cap_money": "1500.00"})
    with translation.override("en"):
        assert cap.description == f"Cap of PLN{NBSP}1,500.00 per period"
    with translation.override("pl"):
        assert f"1{NBSP}500,00{NBSP}zł" in cap.description


def test_a_late_line_names_its_month_and_the_original_line():
    award = {
        "code": "award",
        "params": {
            "offer": "Fibre",
            "campaign": "XS",
            "rule": {"offer": "", "campaign": "XS", "family": ""},
        },
    }
    line = Line("late", 10, "late", {"period_month": "2026-03", "what": award})
    with translation.override("en"):
        assert line.description == "Late outcome of March 2026: Fibre (XS), rule: campaign XS"
    assert set(LINE_MESSAGES) >= {"award", "late", "cap", "gate_not_met", "clawback"}


class _Anything(dict):
    """Fills any %(name)s so a message can be checked for leftovers."""

    def __missing__(self, key):
        return "x"
