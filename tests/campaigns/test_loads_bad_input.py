"""Hostile inbox files: links and other non-files, NUL bytes, damaged gzip, a float rank.

Every test here runs on whichever database the run uses: the batched path on SQLite, the
COPY path on PostgreSQL. Both must give the same answer (docs/loads.md, sections 3, 5 and 6).
"""

import gzip
import io
import os
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.choices import LoadStatus
from campaigns.loads import files, runs
from campaigns.models import LoadRun, TargetGroup, TargetGroupVersion
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "customer_id,offer_code,propensity,expected_value,rank\n"
NAME = "target_group__UP-DATA__20261123.csv"
SECRET = "root-secret-first-line"


@pytest.fixture
def world(inbox):
    offer = OfferFactory(code="DATA-20")
    campaign = CampaignFactory(code="UP-DATA", offers=[offer], control_share=Decimal("10"))
    for n in range(1, 11):
        CustomerFactory(external_id=f"C{n:04d}")
    TargetGroup.objects.create(campaign=campaign, reject_threshold=100)
    return inbox


def members(ids=range(1, 4)) -> str:
    return HEADER + "".join(f"C{n:04d},DATA-20,0.5,10,{n}\n" for n in ids)


def put(inbox, name: str, data: bytes, *, marker: bool = True) -> files.InboxFile:
    path = inbox / name
    path.write_bytes(data)
    if marker:
        path.with_name(name + ".ok").write_text("")
    return files.parse_name(path)


def load(info: files.InboxFile) -> LoadRun:
    run = runs.register_file(info, started_by="test")
    return runs.run_load(run_id=run.pk)


@pytest.fixture
def outside(tmp_path):
    """A file outside the inbox whose first line must never show anywhere."""
    path = tmp_path / "outside.csv"
    path.write_text(f"{SECRET},x\nsecond line\n")
    return path


# --- 12. links and other things that are not regular files ---------------------------------------


def test_the_scan_takes_no_symbolic_link_and_no_link_as_marker(world, outside, caplog):
    linked = world / NAME
    linked.symlink_to(outside)
    linked.with_name(NAME + ".ok").write_text("")
    real = put(world, "target_group__UP-DATA__20261124.csv", members().encode(), marker=False)
    real.marker.symlink_to(outside)  # a marker that is a link does not count either
    assert files.ready_files() == []
    assert runs.pending_files() == []
    assert NAME in caplog.text and SECRET not in caplog.text


def test_a_file_swapped_for_a_link_before_its_load_is_refused_without_reading_it(
    world, outside, client, make_user
):
    info = put(world, NAME, members().encode())
    run = runs.register_file(info, started_by="test")
    info.path.unlink()
    info.path.symlink_to(outside)
    run = runs.run_load(run_id=run.pk)
    assert run.status == LoadStatus.FAILED
    assert f"{NAME} is a symbolic link or not a regular file" in run.error
    assert SECRET not in run.error
    assert not TargetGroupVersion.objects.exists()
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get(f"/cvm/loads/{run.pk}/").content.decode()
    assert "symbolic link" in page and SECRET not in page


def test_a_fifo_in_the_inbox_is_skipped_and_never_waited_on(world):
    os.mkfifo(world / NAME)
    (world / (NAME + ".ok")).write_text("")
    assert files.ready_files() == []
    with pytest.raises(files.FileRejected, match="not a regular file"):
        files.sha256_of(world / NAME)  # opening it must not block for a writer


def test_the_command_refuses_a_link_given_by_name(world, outside):
    (world / NAME).symlink_to(outside)
    (world / (NAME + ".ok")).write_text("")
    with pytest.raises(CommandError, match="symbolic link"):
        call_command("load_inbox", "--sync", "--file", NAME)
    assert not LoadRun.objects.exists()


# --- 14. the same contract on both paths -----------------------------------------------------


def test_a_nul_byte_fails_the_file_with_the_same_reason_on_both_paths(world):
    data = members(range(1, 3)).encode() + b"C0003,DATA-20,0.5,10,3\nC00\x0004,DATA-20,0.5,10,4\n"
    run = load(put(world, NAME, data))
    assert run.status == LoadStatus.FAILED
    assert run.error == (
        "Line 5 contains a NUL character (a zero byte), which text cannot hold. Nothing was loaded."
    )
    assert TargetGroup.objects.get().active_version is None


def test_a_nul_byte_in_a_quoted_extra_field_fails_too(world):
    data = (HEADER.rstrip("\n") + ",note\n").encode() + b'C0001,DATA-20,0.5,10,1,"a\x00b"\n'
    run = load(put(world, NAME, data))
    assert run.status == LoadStatus.FAILED and "Line 2 contains a NUL character" in run.error


def test_a_nul_character_in_a_parquet_string_fails_the_file(world):
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(
        pa.table({"customer_id": ["C0001", "C0002"], "note": ["fine", "bad\x00note"]}), buffer
    )
    run = load(put(world, "target_group__UP-DATA__20261123.parquet", buffer.getvalue()))
    assert run.status == LoadStatus.FAILED and "Line 3 contains a NUL character" in run.error


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut off mid-stream
        lambda data: data[:-8],  # no CRC and length trailer
        lambda data: data[:10] + bytes(b ^ 0x55 for b in data[10:40]) + data[40:],  # corrupt
    ],
    ids=["truncated", "no-trailer", "corrupt"],
)
def test_a_damaged_gzip_fails_with_a_clear_reason_not_an_unexpected_error(world, damage):
    rows = "".join(f"C{n % 10 + 1:04d},DATA-20,0.5,10,{n}\n" for n in range(1, 20_000))
    data = damage(gzip.compress((HEADER + rows).encode()))
    run = load(put(world, "target_group__UP-DATA__20261123.csv.gz", data))
    assert run.status == LoadStatus.FAILED
    assert "the gzip file is truncated or corrupt" in run.error
    assert "Unexpected error" not in run.error
    assert TargetGroup.objects.get().active_version is None


def test_a_float_rank_in_parquet_is_rejected_on_both_paths_as_the_docs_say(world):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "customer_id": ["C0001", "C0002", "C0003"],
            "offer_code": ["DATA-20"] * 3,
            "rank": pa.array([1.0, 2.0, None], pa.float64()),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    run = load(put(world, "target_group__UP-DATA__20261123.parquet", buffer.getvalue()))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert list(run.rejects.order_by("line").values_list("line", "reason", "detail")) == [
        (2, "bad_number", "rank “1.0” is not a whole number"),
        (3, "bad_number", "rank “2.0” is not a whole number"),
    ]
    assert run.rows_loaded == 1  # C0003: no rank at all is fine


def test_an_integer_rank_in_parquet_still_loads(world):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"customer_id": ["C0001", "C0002"], "rank": pa.array([1, 2], pa.int32())})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    run = load(put(world, "target_group__UP-DATA__20261123.parquet", buffer.getvalue()))
    assert (run.status, run.rows_loaded, run.rows_rejected) == (LoadStatus.SUCCEEDED, 2, 0)
