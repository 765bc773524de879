"""The nightly service contacts file through the real load path (the same inbox, markers and
quarantine as every warehouse file), on whichever database the run uses: rows stored or
quarantined with line and reason, plain or gzip, all or nothing, a corrected file replacing the
one it corrects."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from campaigns.choices import LoadKind, LoadStatus
from campaigns.loads import files
from campaigns.loads import service_contacts as contact_load
from campaigns.models import ServiceContact
from tests.campaigns.test_loads import drop, load, reasons
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "customer_id,channel,reason,contacted_on,resolved_first_contact,self_service"
NAME = "contacts__20261123.csv"


@pytest.fixture
def world(inbox):
    for n in range(1, 4):
        CustomerFactory(external_id=f"C{n:04d}")
    return {"inbox": inbox}


def contacts_csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def stored() -> list[tuple]:
    return list(
        ServiceContact.objects.order_by("customer__external_id", "contacted_on").values_list(
            "customer__external_id",
            "channel_kind",
            "reason",
            "contacted_on",
            "resolved_first_contact",
            "self_service",
        )
    )


def test_a_gzipped_contacts_file_stores_each_contact(world):
    content = contacts_csv(
        "C0001,inbound_call,Billing question,2026-11-20,yes,no",
        "C0002,APP, Top-up   failed ,2026-11-21,0,1",
        "C0002,app,Top-up failed,2026-11-21,0,1",  # the same contact twice is two contacts
    )
    run = load(drop(world["inbox"], NAME + ".gz", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert (run.kind, run.target, run.get_kind_display()) == (
        LoadKind.SERVICE_CONTACTS, "contacts", "Service contacts",
    )  # fmt: skip
    assert (run.rows_total, run.rows_loaded, run.rows_rejected) == (3, 3, 0)
    assert stored() == [
        ("C0001", "inbound_call", "Billing question", date(2026, 11, 20), True, False),
        ("C0002", "app", "Top-up failed", date(2026, 11, 21), False, True),
        ("C0002", "app", "Top-up failed", date(2026, 11, 21), False, True),
    ]


def test_bad_rows_are_quarantined_with_line_and_reason(world):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    content = contacts_csv(
        "C0001,store,Roaming,2026-11-20,y,n",  # line 2: good
        "C9999,store,Roaming,2026-11-20,y,n",  # unknown customer
        "C0001,fax,Roaming,2026-11-20,y,n",  # no such channel
        "C0001,store,,2026-11-20,y,n",  # no reason
        "C0001,store,Roaming,20.11.2026,y,n",  # not a date
        f"C0001,store,Roaming,{future},y,n",  # in the future
        "C0001,store,Roaming,2026-11-20,maybe,n",  # not yes/no
        "C0001,store,<b>Roaming</b>,2026-11-20,y,n",  # markup
        f"C0001,store,{'R' * 101},2026-11-20,y,n",  # too long
    )
    run = load(drop(world["inbox"], NAME, content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [
        (3, "unknown_customer"), (4, "bad_choice"), (5, "missing_value"), (6, "bad_date"),
        (7, "out_of_range"), (8, "bad_boolean"), (9, "bad_text"), (10, "bad_text"),
    ]  # fmt: skip
    details = dict(run.rejects.values_list("line", "detail"))
    assert details[3] == "customer C9999 is not in the customer snapshot"
    assert details[4].startswith("channel “fax” is not one of app, chatbot, field")
    assert details[7] == f"contacted_on {future} is in the future"
    assert run.rejects.get(line=3).raw == "C9999,store,Roaming,2026-11-20,y,n"
    assert (run.rows_loaded, run.rows_rejected) == (1, 8)
    assert len(stored()) == 1


def test_a_corrected_file_replaces_the_contacts_of_the_file_it_corrects(world):
    first = load(drop(world["inbox"], NAME, contacts_csv("C0001,web,Invoice,2026-11-20,1,1")))
    again = load(drop(world["inbox"], NAME, contacts_csv("C0001,web,Invoice,2026-11-20,1,1")))
    corrected = load(
        drop(
            world["inbox"],
            NAME,
            contacts_csv("C0001,web,Invoice,2026-11-20,1,1", "C0002,ivr,Outage,2026-11-21,0,1"),
        )
    )
    other_day = load(
        drop(world["inbox"], "contacts__20261124.csv", contacts_csv("C0003,web,X,2026-11-22,1,1"))
    )
    assert first.status == LoadStatus.SUCCEEDED
    assert again.status == LoadStatus.SKIPPED
    assert corrected.status == other_day.status == LoadStatus.SUCCEEDED
    assert [row[0] for row in stored()] == ["C0001", "C0002", "C0003"]
    assert not ServiceContact.objects.filter(load_run=first).exists()


def test_a_file_that_fails_half_way_stores_nothing(world, monkeypatch):
    monkeypatch.setattr(contact_load, "BATCH", 1)
    real = contact_load.ContactRules.check
    calls = []

    def failing(self, batch):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self, batch)

    monkeypatch.setattr(contact_load.ContactRules, "check", failing)
    content = contacts_csv("C0001,web,A,2026-11-20,1,1", "C0002,web,B,2026-11-20,1,1")
    run = load(drop(world["inbox"], NAME, content))
    assert run.status == LoadStatus.FAILED
    assert ServiceContact.objects.count() == 0


def test_the_file_contract_is_checked_before_any_row(world):
    with pytest.raises(files.FileRejected) as named:
        files.parse_name(world["inbox"] / "contacts__ABC__20261123.csv")
    assert named.value.code == "contacts_name_has_campaign"
    run = load(drop(world["inbox"], NAME, "customer_id,channel,reason,contacted_on,mood\n"))
    assert run.status == LoadStatus.FAILED
    assert "Missing column(s): resolved_first_contact, self_service" in run.error
    unmarked = world["inbox"] / "contacts__20261125.csv"
    unmarked.write_text(contacts_csv("C0001,web,A,2026-11-20,1,1"))
    assert unmarked.name not in [f.path.name for f in files.ready_files()]
