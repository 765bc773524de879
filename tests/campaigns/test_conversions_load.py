"""The nightly conversions file (product activations) through the real load path, on whichever
database the run uses: rows stored or quarantined with line and reason, all or nothing, and an
activation delivered twice stored once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import LoadKind, LoadStatus
from campaigns.loads import conversions as conversion_load
from campaigns.loads import files, runs
from campaigns.models import Conversion, LoadRun
from cvm_portal.roles import Role
from tests.campaigns.test_loads import drop, load, reasons
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "customer_id,product_code,activated_on,value,order_ref"
NAME = "conversions__20261123.csv"


@pytest.fixture
def world(inbox):
    for n in range(1, 6):
        CustomerFactory(external_id=f"C{n:04d}")
    return {
        "fibre": ProductFactory(code="FIBRE-1G"),
        "tv": ProductFactory(code="TV-PLUS"),
        "inbox": inbox,
    }


def conversions_csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def stored() -> list[tuple]:
    return list(
        Conversion.objects.order_by("customer_id", "activated_on").values_list(
            "customer_id", "product__code", "activated_on", "value", "order_ref"
        )
    )


def test_a_conversions_file_stores_each_activation(world):
    content = conversions_csv(
        "C0001,FIBRE-1G,2026-11-20,89.90,ORD-1",
        "C0002,tv-plus,2026-11-21,,",
        " C0003 , FIBRE-1G , 2026-11-22 , 0.125 , ORD-3 ",
    )
    run = load(drop(world["inbox"], NAME + ".gz", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert (run.kind, run.target, run.get_kind_display()) == (
        LoadKind.CONVERSIONS, "conversions", "Conversions",
    )  # fmt: skip
    assert (run.rows_total, run.rows_done, run.rows_loaded, run.rows_rejected) == (3, 3, 3, 0)
    assert stored() == [
        ("C0001", "FIBRE-1G", date(2026, 11, 20), Decimal("89.90"), "ORD-1"),
        ("C0002", "TV-PLUS", date(2026, 11, 21), None, ""),
        ("C0003", "FIBRE-1G", date(2026, 11, 22), Decimal("0.13"), "ORD-3"),
    ]
    assert set(Conversion.objects.values_list("load_run", flat=True)) == {run.pk}
    assert run.error == "" and run.duration_seconds is not None and run.rows_per_second > 0


def test_bad_rows_are_quarantined_with_line_and_reason_and_the_good_ones_load(world):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    content = conversions_csv(
        "C0001,FIBRE-1G,2026-11-20,,",  # line 2: good
        "C9999,FIBRE-1G,2026-11-20,,",  # unknown customer
        "C0002,TV-MAXX,2026-11-20,,",  # unknown product
        "C0003,FIBRE-1G,23.11.2026,,",  # not a date
        "C0003,FIBRE-1G,20261123,,",  # not YYYY-MM-DD either
        f"C0003,FIBRE-1G,{future},,",  # in the future
        "C0004,FIBRE-1G,2026-11-20,12;50,",  # not a number
        "C0004,FIBRE-1G,2026-11-20,-1,",  # negative
        f"C0004,FIBRE-1G,2026-11-20,,{'R' * 65}",  # order reference too long
        ",FIBRE-1G,2026-11-20,,",  # no customer
        "C0001,fibre-1g,2026-11-20,,",  # line 12: the same activation as line 2
        "C0001,FIBRE-1G,2026-11-20,,ORD-2",  # another order that day: its own activation
    )
    run = load(drop(world["inbox"], NAME, content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [
        (3, "unknown_customer"), (4, "unknown_product"), (5, "bad_date"), (6, "bad_date"),
        (7, "out_of_range"), (8, "bad_number"), (9, "out_of_range"), (10, "out_of_range"),
        (11, "missing_value"), (12, "duplicate"),
    ]  # fmt: skip
    details = dict(run.rejects.values_list("line", "detail"))
    assert details[4] == "product TV-MAXX is not in the portal's products"
    assert details[7] == f"activated_on {future} is in the future"
    assert details[10] == "order_ref is longer than 64 characters"
    assert details[12] == "the same activation is already on line 2"
    assert run.rejects.get(line=3).raw == "C9999,FIBRE-1G,2026-11-20,,"
    assert (run.rows_loaded, run.rows_rejected) == (2, 10)
    assert [row[4] for row in stored()] == ["", "ORD-2"]


def test_an_activation_delivered_again_is_counted_once(world):
    once = conversions_csv("C0001,FIBRE-1G,2026-11-20,10,A")
    first = load(drop(world["inbox"], "conversions__20261122.csv", once))
    # The same content again is skipped, as any file is; a later file repeating the day stores
    # only what is new.
    again = load(drop(world["inbox"], "conversions__20261122.csv", once))
    later = load(
        drop(
            world["inbox"],
            "conversions__20261123.csv",
            conversions_csv("C0001,FIBRE-1G,2026-11-20,10,A", "C0002,TV-PLUS,2026-11-22,,"),
        )
    )
    assert first.status == LoadStatus.SUCCEEDED
    assert again.status == LoadStatus.SKIPPED
    assert later.status == LoadStatus.SUCCEEDED and later.rows_loaded == 2
    assert later.error == (
        "1 of the loaded rows were already stored from an earlier file; each activation counts once."
    )
    assert Conversion.objects.count() == 2
    assert Conversion.objects.get(customer_id="C0001").load_run_id == first.pk


def test_a_file_that_fails_half_way_stores_nothing(world, monkeypatch):
    monkeypatch.setattr(
        conversion_load, "BATCH", 2
    )  # the first rows are written before the failure
    content = conversions_csv(
        "C0001,FIBRE-1G,2026-11-20,,",
        "C0002,FIBRE-1G,2026-11-20,,",
        "C0003,FIBRE-1G,2026-11-20,,",
        "C0004,FIBRE-1G,2026-11-20,,,surplus",
    )
    run = load(drop(world["inbox"], NAME, content))
    assert run.status == LoadStatus.FAILED
    assert run.error == "Line 5 has more fields than the header. Nothing was loaded."
    assert Conversion.objects.count() == 0


def test_the_file_contract_is_checked_before_any_row(world):
    unknown = load(drop(world["inbox"], NAME, "customer_id,product_code,activated_on,channel\n"))
    assert unknown.status == LoadStatus.FAILED
    assert unknown.error == (
        "Unknown column(s) in a conversions file: channel. Allowed: customer_id, product_code, "
        "activated_on, value, order_ref."
    )
    missing = load(
        drop(world["inbox"], "conversions__20261124.csv", "customer_id,value\nC0001,1\n")
    )
    assert missing.error.startswith("Missing column(s): product_code, activated_on.")
    with pytest.raises(files.FileRejected, match="a conversions file names no campaign"):
        files.parse_name(world["inbox"] / "conversions__UP-DATA__20261123.csv")


def test_marker_and_checksum_rule_as_for_every_file(world):
    path = world["inbox"] / NAME
    path.write_text(conversions_csv("C0001,FIBRE-1G,2026-11-20,,"))
    assert runs.pending_files() == []  # no marker: not read
    path.with_name(NAME + ".ok").write_text("sha256=" + "0" * 64)
    [info] = runs.pending_files()
    run = load(info)
    assert run.status == LoadStatus.FAILED
    assert run.error.startswith("The file's SHA-256 does not match its marker")
    assert Conversion.objects.count() == 0


def test_conversions_load_after_the_customer_snapshot_of_their_day(world):
    snapshot = drop(world["inbox"], "customers__20261123.csv", "customer_id\n")
    conversions = drop(world["inbox"], NAME, conversions_csv("C0001,FIBRE-1G,2026-11-20,,"))
    target_group = world["inbox"] / "target_group__UP-DATA__20261123.csv"
    target_group.write_text("customer_id\n")
    target_group.with_name(target_group.name + ".ok").write_text("")
    assert [f.kind for f in files.ready_files()] == ["customers", "conversions", "target_group"]
    runs.register_file(snapshot, started_by="test")  # waiting, not yet loaded
    run = runs.register_file(conversions, started_by="test")
    with pytest.raises(runs.LoadBusy):
        runs.run_load(run_id=run.pk)
    assert LoadRun.objects.get(pk=run.pk).status == LoadStatus.PENDING


def test_load_pages_show_a_conversions_run_with_its_counts(world, client, make_user):
    run = load(
        drop(
            world["inbox"],
            NAME,
            conversions_csv("C0001,FIBRE-1G,2026-11-20,,", "C9999,TV-PLUS,2026-11-20,,"),
        )
    )
    client.force_login(make_user(Role.CVM_MANAGER))
    listing = client.get("/cvm/loads/").content.decode()
    assert NAME in listing
    detail = client.get(f"/cvm/loads/{run.pk}/").content.decode()
    assert "Conversions" in detail and "Unknown customer id" in detail
    assert "Load history: Conversions" in detail and detail.count(NAME) >= 2  # title, history
    progress = client.get(f"/cvm/loads/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    for label, count in (("Rows in file", 2), ("Loaded", 1), ("Rejected", 1)):
        assert f"<dt>{label}</dt><dd>{count}</dd>" in progress
