"""The audit trail page for CVM managers: filters, paging, CSV export, who may read it."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cvm_portal.audit import record_access
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TRAIL = "/cvm/audit/"
CSV = "/cvm/audit.csv"


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER, username="cvm-manager")
    client.force_login(user)
    return user


@pytest.fixture
def trail(make_user):
    """An agent who found Ada yesterday and probed a number today; another who opened Bo."""
    ada = CustomerFactory(external_id="C0042", name="Ada Nowak")
    bo = CustomerFactory(external_id="C0043", name="Bo Lis")
    prober = make_user(Role.AGENT, username="prober")
    other = make_user(Role.AGENT, username="other-agent")
    found = record_access(user=prober, action="find", obj=ada, detail="console")
    AuditEvent.objects.filter(pk=found.pk).update(at=timezone.now() - timedelta(days=1))
    record_access(user=prober, action="find_failed", detail="console: =HYPERLINK(evil)")
    record_access(user=other, action="view", obj=bo, detail="console")
    return {"ada": ada, "bo": bo, "prober": prober, "other": other}


def rows(response) -> list[str]:
    return response.content.decode().split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]


def test_a_manager_reads_the_trail_newest_first_with_customer_ids(client, manager, trail):
    response = client.get(TRAIL)
    assert response.status_code == 200
    found = rows(response)
    assert len(found) == 3
    assert "other-agent" in found[0] and "Customer page opened" in found[0] and "C0043" in found[0]
    assert "Look-up: nobody found" in found[1] and "=HYPERLINK(evil)" in found[1]
    assert "C0042" in found[2]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"user": "prober"}, 2),
        ({"action": "find_failed"}, 1),
        ({"customer": "C0042"}, 1),
        ({"since": "{today}", "until": "{today}"}, 2),
        ({"user": "prober", "since": "{today}"}, 1),
    ],
)
def test_the_trail_filters_by_user_action_period_and_customer(
    client, manager, trail, filters, expected
):
    today = timezone.localdate().isoformat()
    query = {k: v.format(today=today) for k, v in filters.items()}
    assert len(rows(client.get(TRAIL, query))) == expected


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"user": "nobody"}, "No user has this username."),
        ({"customer": "C9999"}, "No customer has this customer id."),
        (
            {"since": "2026-03-02", "until": "2026-03-01"},
            "The end of the period is before its start.",
        ),
        ({"since": "yesterday"}, "Enter a valid date."),
    ],
)
def test_wrong_filters_say_what_is_wrong_and_show_nothing(client, manager, trail, filters, message):
    content = client.get(TRAIL, filters).content.decode()
    assert message in content and "Correct the filters above" in content


def test_the_trail_pages_fifty_at_a_time_without_counting(client, manager, trail):
    for _ in range(50):
        record_access(user=trail["other"], action="list", detail="admin customer list")
    first = client.get(TRAIL, {"user": "other-agent"})
    second = client.get(TRAIL, {"user": "other-agent", "page": 2})
    assert len(rows(first)) == 50 and len(rows(second)) == 1
    assert "?user=other-agent&amp;page=2" in first.content.decode()
    assert "Older" not in second.content.decode() and "Newer" in second.content.decode()


def test_the_export_has_every_matching_row_formulas_defused_and_is_audited(client, manager, trail):
    response = client.get(CSV, {"user": "prober"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][:4] == ["at", "user", "name", "action"]
    assert [line[3] for line in lines[1:]] == ["find_failed", "find"]
    assert lines[2][7] == "C0042"
    assert AuditEvent.objects.filter(
        user=manager, action="audit_export", detail="CSV: user=prober"
    ).exists()


def test_a_cell_that_starts_like_a_formula_is_exported_as_text(client, manager, make_user):
    record_access(user=make_user(Role.AGENT), action="find_failed", detail="=cmd|' /C calc'!A0")
    response = client.get(CSV, {"action": "find_failed"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[1][8] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.TRAINER])
def test_the_trail_is_for_cvm_managers_and_administrators(client, make_user, trail, role):
    client.force_login(make_user(role))
    assert client.get(TRAIL).status_code == 403
    assert client.get(CSV).status_code == 403
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get(TRAIL).status_code == 200


def test_the_trail_is_read_only_and_needs_a_sign_in(client, manager):
    from django.test import Client

    assert client.post(TRAIL).status_code == 405
    anonymous = Client().get(TRAIL)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")


def test_the_trail_page_takes_a_fixed_number_of_queries(
    client, manager, trail, django_assert_num_queries
):
    for _ in range(20):
        record_access(user=trail["prober"], action="view", obj=trail["ada"], detail="console")
    client.get(TRAIL)  # session warm
    # session, user, roles, events with their users, their customers, bursts
    with django_assert_num_queries(6):
        assert client.get(TRAIL).status_code == 200
