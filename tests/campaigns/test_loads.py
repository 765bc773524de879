"""Nightly loads through the real path, on whichever database the run uses (SQLite or PostgreSQL)."""

import csv
import gzip
import io
import logging
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from campaigns.choices import ChannelKind, LoadStatus
from campaigns.control import control_bucket
from campaigns.loads import files, runs
from campaigns.loads.messages import Problem
from campaigns.models import Customer, LoadRun, TargetGroup, TargetGroupMember, TargetGroupVersion
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

# Committed data: on PostgreSQL the loader works on a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "customer_id,offer_code,propensity,expected_value,rank\n"


@pytest.fixture
def world(inbox):
    offer = OfferFactory(code="DATA-20")
    other = OfferFactory(code="NOT-IN-CAMPAIGN")
    campaign = CampaignFactory(code="UP-DATA", offers=[offer], control_share=Decimal("10"))
    customers = [CustomerFactory(external_id=f"C{n:04d}") for n in range(1, 41)]
    return {
        "campaign": campaign,
        "offer": offer,
        "other": other,
        "customers": customers,
        "inbox": inbox,
    }


def drop(inbox, name: str, content: bytes | str, *, marker: str = "") -> files.InboxFile:
    path = inbox / name
    data = content.encode() if isinstance(content, str) else content
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    path.with_name(name + ".ok").write_text(marker)
    return files.parse_name(path)


def load(info: files.InboxFile) -> LoadRun:
    run = runs.register_file(info, started_by="test")
    return runs.run_load(run_id=run.pk)


def members_csv(ids, *, offer="DATA-20", extra_header="", extra=""):
    lines = [HEADER.rstrip("\n") + extra_header]
    for rank, n in enumerate(ids, start=1):
        lines.append(f"C{n:04d},{offer},0.{rank % 10},12.50,{rank}{extra}")
    return "\n".join(lines) + "\n"


def live_members(campaign_code: str) -> list[str]:
    group = TargetGroup.objects.get(campaign__code=campaign_code)
    return sorted(
        TargetGroupMember.objects.filter(version_id=group.active_version_id).values_list(
            "customer__external_id", flat=True
        )
    )


def reasons(run: LoadRun) -> list[tuple[int, str]]:
    return list(run.rejects.order_by("line").values_list("line", "reason"))


def test_a_target_group_file_becomes_the_live_version(world):
    run = load(
        drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 31)))
    )
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert (run.rows_total, run.rows_loaded, run.rows_rejected) == (30, 30, 0)
    assert live_members("UP-DATA") == [f"C{n:04d}" for n in range(1, 31)]
    member = TargetGroupMember.objects.get(customer__external_id="C0003")
    assert (member.offer, member.propensity, member.expected_value, member.rank) == (
        world["offer"], 0.3, Decimal("12.50"), 3,
    )  # fmt: skip
    assert run.duration_seconds is not None and run.rows_per_second > 0


def test_control_group_membership_is_deterministic_and_follows_the_share(world):
    run = load(
        drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 41)))
    )
    assert run.status == LoadStatus.SUCCEEDED
    expected = {f"C{n:04d}" for n in range(1, 41) if control_bucket(f"C{n:04d}", "UP-DATA") < 1000}
    members = TargetGroupMember.objects.select_related("version")
    control = {m.customer_id for m in members if m.is_control}
    assert control == expected
    assert TargetGroup.objects.get().active_version.control_count == len(expected)


def test_a_new_file_replaces_the_version_and_keeps_the_old_one_until_pruned(world, settings):
    first = load(
        drop(world["inbox"], "target_group__UP-DATA__20261122.csv", members_csv(range(1, 11)))
    )
    second = load(
        drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(5, 21)))
    )
    assert (first.status, second.status) == (LoadStatus.SUCCEEDED, LoadStatus.SUCCEEDED)
    assert live_members("UP-DATA") == [f"C{n:04d}" for n in range(5, 21)]
    old = TargetGroupVersion.objects.get(pk=first.version_id)
    assert old.retired_at is not None
    assert TargetGroupMember.objects.filter(version=old).count() == 10
    settings.CVM_KEEP_VERSIONS_DAYS = 0
    assert runs.prune_versions() == 1
    assert not TargetGroupVersion.objects.filter(pk=old.pk).exists()
    assert not TargetGroupMember.objects.filter(version_id=old.pk).exists()
    assert live_members("UP-DATA") == [f"C{n:04d}" for n in range(5, 21)]


def test_an_older_file_never_replaces_a_newer_live_version(world):
    load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 11))))
    run = load(
        drop(world["inbox"], "target_group__UP-DATA__20261120.csv", members_csv(range(1, 4)))
    )
    assert run.status == LoadStatus.FAILED
    assert "newer file" in run.error
    assert len(live_members("UP-DATA")) == 10


def test_the_same_file_twice_changes_nothing(world):
    info = drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 21)))
    first = load(info)
    version = TargetGroup.objects.get().active_version_id
    again = load(info)
    assert again.status == LoadStatus.SKIPPED
    assert f"run #{first.pk}" in again.error
    assert TargetGroup.objects.get().active_version_id == version
    assert TargetGroupVersion.objects.count() == 1
    # and the inbox scan does not take it again at all
    assert runs.pending_files() == []


def test_a_corrected_file_under_the_same_name_is_taken_again(world):
    info = drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 21)))
    load(info)
    drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 25)))
    assert [f.path.name for f in runs.pending_files()] == ["target_group__UP-DATA__20261123.csv"]


def test_a_file_without_its_marker_is_not_read(world):
    (world["inbox"] / "target_group__UP-DATA__20261123.csv").write_text(members_csv(range(1, 5)))
    assert runs.pending_files() == []


def test_a_marker_with_another_sha256_means_an_incomplete_file(world):
    info = drop(
        world["inbox"],
        "target_group__UP-DATA__20261123.csv",
        members_csv(range(1, 5)),
        marker="sha256=" + "0" * 64,
    )
    run = load(info)
    assert run.status == LoadStatus.FAILED and "does not match its marker" in run.error
    assert TargetGroup.objects.get().active_version is None


@pytest.mark.parametrize(
    "name", ["target_group__UP-DATA__20261123.csv.gz", "target_group__UP-DATA__20261123.parquet"]
)
def test_gzip_and_parquet_files_load_like_csv(world, name):
    import pyarrow as pa
    import pyarrow.parquet as pq

    if name.endswith(".parquet"):
        table = pa.table(
            {
                "customer_id": [f"C{n:04d}" for n in range(1, 11)],
                "offer_code": ["DATA-20"] * 10,
                "propensity": [0.5] * 10,
                "expected_value": [3.25] * 10,
                "rank": list(range(1, 11)),
                "driver": ["usage"] * 10,
            }
        )
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        info = drop(world["inbox"], name, buffer.getvalue())
    else:
        info = drop(world["inbox"], name, members_csv(range(1, 11)))
    run = load(info)
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert run.rows_loaded == 10
    if name.endswith(".parquet"):
        members = TargetGroupMember.objects.filter(version=run.version).select_related("version")
        assert [m.attributes for m in members] == [{"driver": "usage"}] * 10


# --- hostile files -------------------------------------------------------------------------------

HOSTILE_ROWS = (
    HEADER.rstrip("\n") + ",note\n"
    "C0001,DATA-20,0.5,10,1,fine\n"  # line 2
    "C0002,NOT-IN-CAMPAIGN,0.5,10,2,other campaign's offer\n"  # 3
    "C9999,DATA-20,0.5,10,3,unknown customer\n"  # 4
    "C0001,DATA-20,0.4,10,4,duplicate of line 2\n"  # 5
    "C0004,DATA-20,-0.1,10,5,negative\n"  # 6
    "C0005,DATA-20,1.01,10,6,above one\n"  # 7
    "C0006,DATA-20,abc,10,7,not a number\n"  # 8
    ",DATA-20,0.5,10,8,no customer\n"  # 9
    "C0007,DATA-20,0.5,-3,9,negative value\n"  # 10
    "C0008,DATA-20,0.5,10,0,rank zero\n"  # 11
    'C0009,DATA-20,0.5,10,10,"=HYPERLINK(""http://evil"",""x"")"\n'  # 12: kept as text
    "C0010,,,,,\n"  # 13: only the customer is required
)


def test_every_bad_row_is_quarantined_with_its_line_and_reason(world):
    TargetGroup.objects.get_or_create(
        campaign=world["campaign"], defaults={"reject_threshold": 100}
    )
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", HOSTILE_ROWS))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [
        (3, "unknown_offer"),
        (4, "unknown_customer"),
        (5, "duplicate"),
        (6, "out_of_range"),
        (7, "out_of_range"),
        (8, "bad_number"),
        (9, "missing_value"),
        (10, "out_of_range"),
        (11, "out_of_range"),
    ]
    details = dict(run.rejects.values_list("line", "detail"))
    assert details[3] == "offer NOT-IN-CAMPAIGN is not an offer of campaign UP-DATA"
    assert details[4] == "customer C9999 is not in the customer snapshot"
    assert details[5] == "customer C0001 is already on line 2"
    assert details[7] == "propensity 1.01 is out of range (0 to 1)"
    assert details[8] == "propensity “abc” is not a number"
    assert live_members("UP-DATA") == ["C0001", "C0009", "C0010"]
    formula = TargetGroupMember.objects.get(customer__external_id="C0009")
    assert formula.attributes == {"note": '=HYPERLINK("http://evil","x")'}


def test_bom_and_crlf_files_load(world):
    content = "\ufeff" + members_csv(range(1, 6)).replace("\n", "\r\n")
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content.encode("utf-8")))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert live_members("UP-DATA") == [f"C{n:04d}" for n in range(1, 6)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (HEADER.encode(), "header but no rows"),
        (b"customer,offer_code\nC0001,DATA-20\n", "Missing column(s): customer_id"),
        (
            members_csv(range(1, 3)).encode() + b"C0003,DATA-20,0.5,10,3,surplus\n",
            "Line 4 has more fields",
        ),
        (members_csv(range(1, 3)).encode() + b"C0003,DATA-20\n", "Line 4 has fewer fields"),
        (members_csv(range(1, 3)).encode() + b"C\xff\xfe03,DATA-20,0.5,10,3\n", "not valid UTF-8"),
        (b"customer_id,line\nC0001,4\n", "reserved"),
        (b"customer_id,customer_id\nC0001,C0001\n", "more than once"),
    ],
    ids=[
        "empty",
        "header-only",
        "missing-column",
        "extra-field",
        "missing-field",
        "bad-utf8",
        "reserved",
        "duplicate-column",
    ],
)
def test_broken_files_fail_whole_with_a_reason_and_leave_the_live_version(world, content, message):
    load(drop(world["inbox"], "target_group__UP-DATA__20261122.csv", members_csv(range(1, 11))))
    live = TargetGroup.objects.get().active_version_id
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    assert run.status == LoadStatus.FAILED
    assert message in run.error
    assert TargetGroup.objects.get().active_version_id == live
    assert len(live_members("UP-DATA")) == 10
    assert TargetGroupVersion.objects.count() == 1


def test_a_file_for_an_unknown_campaign_fails_at_once(world):
    run = runs.register_file(
        drop(world["inbox"], "target_group__NO-SUCH__20261123.csv", members_csv([1])),
        started_by="test",
    )
    assert run.status == LoadStatus.FAILED and "No campaign has the code NO-SUCH" in run.error


def test_above_the_reject_threshold_the_previous_version_stays_live(world):
    load(drop(world["inbox"], "target_group__UP-DATA__20261122.csv", members_csv(range(1, 21))))
    # 2 unknown customers out of 22 rows: 9 %, above the default 1 %
    content = members_csv(range(1, 21)) + "C9998,DATA-20,0.1,1,21\nC9999,DATA-20,0.1,1,22\n"
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    assert run.status == LoadStatus.FAILED
    assert "2 of 22 rows were rejected (9.1%)" in run.error
    assert "previous one stays live" in run.error
    assert len(live_members("UP-DATA")) == 20
    assert run.rejects.count() == 2  # kept, to download
    assert TargetGroupVersion.objects.count() == 1
    # raising the threshold lets the same content through
    TargetGroup.objects.update(reject_threshold=10)
    retry = load(drop(world["inbox"], "target_group__UP-DATA__20261124.csv", content))
    assert retry.status == LoadStatus.SUCCEEDED
    assert len(live_members("UP-DATA")) == 20 and retry.rows_rejected == 2


# --- customer snapshot ---------------------------------------------------------------------------

SNAPSHOT_HEADER = "customer_id,phone,name,segment,value_tier,customer_since,preferred_channel,consent_marketing,consent_calls,consent_sms,consent_app_push,consent_digital,do_not_contact\n"


def test_a_customer_snapshot_upserts_customers_and_quarantines_bad_rows(inbox):
    existing = CustomerFactory(external_id="C0001", phone="+48501000001", name="Old name")
    CustomerFactory(external_id="C0099", phone="+48501000099")
    content = SNAPSHOT_HEADER + (
        "C0001,+48 501 000 001,New name,postpaid,gold,2020-01-31,store,1,0,1,0,1,0\n"  # 2 update
        "C0002,501000002,Anna Nowak,prepaid,bronze,2021-05-01,,yes,no,no,no,no,no\n"  # 3 new
        "C0003,12,Bad Phone,prepaid,bronze,2021-05-01,,1,1,1,1,1,0\n"  # 4
        "C0004,+48501000099,Taken,prepaid,bronze,2021-05-01,,1,1,1,1,1,0\n"  # 5 phone of C0099
        "C0005,+48501000005,Bad Segment,vip,bronze,2021-05-01,,1,1,1,1,1,0\n"  # 6
        "C0006,+48501000006,Bad Date,prepaid,bronze,31/12/2020,,1,1,1,1,1,0\n"  # 7
        "C0007,+48501000007,Bad Bool,prepaid,bronze,2021-05-01,,maybe,1,1,1,1,0\n"  # 8
        "C0002,+48501000008,Dup,prepaid,bronze,2021-05-01,,1,1,1,1,1,0\n"  # 9
        "C0009,+48501000009,=cmd|' /C calc'!A0,prepaid,bronze,2021-05-01,app,1,1,1,1,1,1\n"  # 10
    )
    run = load(drop(inbox, "customers__20261123.csv", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [
        (4, "bad_phone"),
        (5, "phone_taken"),
        (6, "bad_choice"),
        (7, "bad_date"),
        (8, "bad_boolean"),
        (9, "duplicate"),
    ]
    existing.refresh_from_db()
    assert (existing.name, existing.value_tier, existing.consent_calls) == (
        "New name",
        "gold",
        False,
    )
    anna = Customer.objects.get(external_id="C0002")
    assert (anna.phone, anna.consent_marketing, anna.consent_calls) == ("+48501000002", True, False)
    dnc = Customer.objects.get(external_id="C0009")
    assert dnc.do_not_contact and dnc.do_not_contact_since is not None
    assert dnc.name == "=cmd|' /C calc'!A0"  # stored as text; defused wherever it is exported
    assert dnc.preferred_channel == ChannelKind.APP


def test_a_snapshot_with_an_unknown_column_is_refused(inbox):
    run = load(drop(inbox, "customers__20261123.csv", SNAPSHOT_HEADER.rstrip("\n") + ",salary\n"))
    assert (
        run.status == LoadStatus.FAILED
        and "Unknown column(s) in a customer snapshot: salary" in run.error
    )


# --- how people start and see loads ----------------------------------------------------------


def test_the_command_loads_every_ready_file_once(world, capsys, eager_tasks):
    drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 6)))
    call_command("load_inbox", "--sync")
    assert "Loaded — 5 loaded, 0 rejected" in capsys.readouterr().out
    call_command("load_inbox", "--sync")
    assert "Nothing to load" in capsys.readouterr().out


def test_rejected_rows_download_as_csv_with_formulas_defused(world, client, make_user):
    from cvm_portal.roles import Role

    TargetGroup.objects.get_or_create(
        campaign=world["campaign"], defaults={"reject_threshold": 100}
    )
    content = (
        HEADER.rstrip("\n") + ",note\nC0001,DATA-20,2,1,1,=SUM(A1:A9)\n@C0002,DATA-20,0.1,1,2,+x\n"
    )
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.get(f"/cvm/loads/{run.pk}/rejects.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["line", "reason", "detail", "row"]
    assert rows[1][:2] == ["2", "Value out of range"]
    assert rows[1][3] == "C0001,DATA-20,2,1,1,=SUM(A1:A9)"
    assert rows[2][3].startswith("'@C0002")  # a cell starting with @ would run as a formula
    assert client.get(f"/cvm/loads/{run.pk}/").status_code == 200
    detail = client.get(f"/cvm/loads/{run.pk}/", HTTP_HX_REQUEST="true")
    assert b'id="load-progress"' in detail.content and b"<html" not in detail.content


def test_load_pages_are_for_cvm_managers_only(world, client, make_user):
    from cvm_portal.roles import Role

    run = load(
        drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 3)))
    )
    for role in (Role.AGENT, Role.TEAM_LEAD, Role.TRAINER):
        client.force_login(make_user(role))
        assert client.get("/cvm/loads/").status_code == 403
        assert client.get(f"/cvm/loads/{run.pk}/rejects.csv").status_code == 403


def test_failed_loads_are_shown_prominently_to_cvm_managers(world, client, make_user):
    from cvm_portal.roles import Role

    load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", HEADER))
    client.force_login(make_user(Role.CVM_MANAGER))
    for path in ("/cvm/", "/cvm/loads/"):
        content = client.get(path).content.decode()
        assert 'role="alert"' in content and "target_group__UP-DATA__20261123.csv" in content


def test_load_now_in_the_admin_queues_the_newest_ready_file(world, client, make_user, eager_tasks):
    from cvm_portal.roles import Role

    drop(world["inbox"], "target_group__UP-DATA__20261122.csv", members_csv(range(1, 3)))
    drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 6)))
    group = TargetGroup.objects.create(campaign=world["campaign"])
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/targetgroup/",
        {"action": "load_now", "_selected_action": [group.pk]},
        follow=True,
    )
    assert "File target_group__UP-DATA__20261123.csv is queued" in response.content.decode()
    run = LoadRun.objects.get()
    assert (
        run.started_by.startswith("admin: ") and run.status == LoadStatus.SUCCEEDED
    )  # tasks run in-process here
    assert len(live_members("UP-DATA")) == 5


def test_rows_with_readable_values_get_the_same_reasons(world):
    # Every value here can be read by a cast, so PostgreSQL takes its fast statement; the reasons
    # must be the ones the careful statement and the Python path give.
    TargetGroup.objects.get_or_create(
        campaign=world["campaign"], defaults={"reject_threshold": 100}
    )
    content = HEADER + (
        "C0001,DATA-20,1e-5,10,1\n"  # 2 fine: a short exponent
        "C0002,DATA-20,1e-100,10,2\n"  # 3 exponent longer than the contract allows
        "C0003,DATA-20,NaN,10,3\n"  # 4
        "C0004,DATA-20,Infinity,10,4\n"  # 5
        "C0005,NOT-IN-CAMPAIGN,0.5,10,5\n"  # 6
        "C9999,DATA-20,0.5,10,6\n"  # 7
        ",DATA-20,0.5,10,7\n"  # 8
        "C0006,DATA-20,0.5,10000000000,8\n"  # 9 above the largest expected value
        "C0007,DATA-20,0.5,10,3000000000\n"  # 10 rank too large
        " C0008 ,DATA-20, 0.25 , 7.125 , 9 \n"  # 11 fine: spaces are trimmed, 7.125 rounds half up
    )
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [
        (3, "bad_number"),
        (4, "bad_number"),
        (5, "bad_number"),
        (6, "unknown_offer"),
        (7, "unknown_customer"),
        (8, "missing_value"),
        (9, "out_of_range"),
        (10, "out_of_range"),
    ]
    assert live_members("UP-DATA") == ["C0001", "C0008"]
    padded = TargetGroupMember.objects.get(customer__external_id="C0008")
    assert (padded.propensity, padded.expected_value, padded.rank) == (0.25, Decimal("7.13"), 9)


def test_rows_copy_reads_but_the_rules_refuse_are_checked_one_by_one(world, caplog):
    # No unreadable value, no empty customer, no duplicate: on PostgreSQL the COPY takes every
    # row and only the rows that break a rule are taken out and checked again one by one.
    TargetGroup.objects.get_or_create(
        campaign=world["campaign"], defaults={"reject_threshold": 100}
    )
    content = (
        HEADER.rstrip("\n")
        + ",note\n"
        + (
            "C0001,DATA-20,0.5,10,1,fine\n"  # 2
            "C0002,NOT-IN-CAMPAIGN,0.5,10,2,x\n"  # 3
            "C9999,DATA-20,0.5,10,3,x\n"  # 4
            "C0004,DATA-20,1.5,10,4,x\n"  # 5
            "C0005,DATA-20,NaN,10,5,x\n"  # 6 PostgreSQL reads NaN; the contract does not
            " C0007 ,DATA-20, 0.25 , 7.125 , 7 ,padded\n"  # 7 fine once trimmed
            "C0008,DATA-20,0.5,9999999999.50,8,x\n"  # 8
            "C0009,DATA-20,0.5,10,0,x\n"  # 9
            "C0010,,,,,\n"  # 10 fine: only the customer is required
        )
    )
    with caplog.at_level(logging.INFO, logger="cvm.loads"):
        run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [
        (3, "unknown_offer"),
        (4, "unknown_customer"),
        (5, "out_of_range"),
        (6, "bad_number"),
        (8, "out_of_range"),
        (9, "out_of_range"),
    ]
    assert (run.rows_loaded, run.rows_rejected) == (3, 6)
    assert live_members("UP-DATA") == ["C0001", "C0007", "C0010"]
    padded = TargetGroupMember.objects.select_related("version").get(customer__external_id="C0007")
    assert (padded.propensity, padded.expected_value, padded.rank) == (0.25, Decimal("7.13"), 7)
    assert padded.attributes == {"note": "padded"}
    version = TargetGroup.objects.get(campaign=world["campaign"]).active_version
    members = TargetGroupMember.objects.filter(version=version).select_related("version")
    assert version.control_count == sum(m.is_control for m in members)
    if connection.vendor == "postgresql":
        assert "7 rows checked one by one" in caplog.text
        assert "careful path" not in caplog.text


def test_a_file_without_the_optional_number_columns_loads(world):
    TargetGroup.objects.get_or_create(
        campaign=world["campaign"], defaults={"reject_threshold": 100}
    )
    content = "customer_id,offer_code\nC0001,DATA-20\n C0002 ,\nC9999,\n"
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert reasons(run) == [(4, "unknown_customer")]
    assert live_members("UP-DATA") == ["C0001", "C0002"]
    assert TargetGroupMember.objects.filter(propensity__isnull=True, rank__isnull=True).count() == 2


def test_do_not_contact_keeps_the_date_it_was_first_asked_for(inbox):
    row = "C0001,+48501000001,Anna,prepaid,bronze,2020-01-31,,1,1,1,1,1,{dnc}\n"
    load(drop(inbox, "customers__20261121.csv", SNAPSHOT_HEADER + row.format(dnc=1)))
    first = Customer.objects.get(external_id="C0001").do_not_contact_since
    assert first is not None
    load(drop(inbox, "customers__20261122.csv", SNAPSHOT_HEADER + row.format(dnc="yes")))
    assert Customer.objects.get(external_id="C0001").do_not_contact_since == first
    load(drop(inbox, "customers__20261123.csv", SNAPSHOT_HEADER + row.format(dnc=0)))
    assert Customer.objects.get(external_id="C0001").do_not_contact_since is None


def test_a_target_group_waits_for_the_nights_snapshot_and_in_process_gives_up_at_once(
    world, eager_tasks
):
    from campaigns.tasks import load_file_task

    snapshot = runs.register_file(
        drop(world["inbox"], "customers__20261123.csv", SNAPSHOT_HEADER), started_by="test"
    )
    assert snapshot.status == LoadStatus.PENDING
    run = runs.register_file(
        drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 4))),
        started_by="test",
    )
    load_file_task.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == LoadStatus.FAILED
    assert "Gave up after 1 attempts" in run.error and "snapshot" in run.error


def test_giving_up_discards_the_unfinished_version(world):
    run = runs.register_file(
        drop(world["inbox"], "target_group__UP-DATA__20261123.csv", members_csv(range(1, 4))),
        started_by="test",
    )
    version = TargetGroupVersion.objects.create(target_group=run.target_group)
    LoadRun.objects.filter(pk=run.pk).update(version=version, status=LoadStatus.RUNNING)
    if connection.vendor != "postgresql":
        TargetGroupMember.objects.create(version=version, customer=world["customers"][0])
    runs.give_up(run_id=run.pk, reason=Problem("gave_up", n=6, error="connection lost"))
    run.refresh_from_db()
    assert (run.status, run.version_id) == (LoadStatus.FAILED, None)
    assert not TargetGroupVersion.objects.filter(pk=version.pk).exists()
    assert not TargetGroupMember.objects.filter(version_id=version.pk).exists()


def test_the_products_column_sets_what_customers_hold_and_its_absence_keeps_it(inbox):
    header = SNAPSHOT_HEADER.rstrip("\n") + ",products\n"
    row = "C0001,+48501000001,Anna,prepaid,bronze,2020-01-31,,1,1,1,1,1,0,{products}\n"
    run = load(
        drop(
            inbox,
            "customers__20261121.csv",
            header
            + row.format(products="fibre-1g; TV-PLUS  FIBRE-1G")
            + "C0002,+48501000002,Bad,prepaid,bronze,2020-01-31,,1,1,1,1,1,0,TV PLUS!\n",
        )
    )
    assert reasons(run) == [(3, "bad_code")]
    assert "“PLUS!” is not a product code" in run.rejects.get().detail
    assert Customer.objects.get(external_id="C0001").holdings == ["FIBRE-1G", "TV-PLUS"]
    # A snapshot without the column leaves the holdings alone; an empty cell clears them.
    load(
        drop(
            inbox, "customers__20261122.csv", SNAPSHOT_HEADER + row.format(products="")[:-2] + "\n"
        )
    )
    assert Customer.objects.get(external_id="C0001").holdings == ["FIBRE-1G", "TV-PLUS"]
    load(drop(inbox, "customers__20261123.csv", header + row.format(products="")))
    assert Customer.objects.get(external_id="C0001").holdings == []


def test_the_admin_shows_a_versions_control_code_share_and_extra_columns(
    world, client, django_user_model
):
    content = members_csv(range(1, 4), extra_header=",driver,segment", extra=",usage,gold")
    run = load(drop(world["inbox"], "target_group__UP-DATA__20261123.csv", content))
    assert run.status == LoadStatus.SUCCEEDED, run.error
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.pl", "pw"))
    page = client.get(f"/admin/campaigns/targetgroupversion/{run.version_id}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "driver, segment" in text and "UP-DATA" in text and "10.00" in text
