"""A target-group file's optional ``reason`` column, through the real load path.

Every test runs on whichever database the run uses: the batched path on SQLite; on
PostgreSQL the COPY fast path, its row-by-row repair, or the careful path in SQL (each test
says which it takes there). All must store the same cleaned text and reject the same rows
with the same words (docs/loads.md, section 5).
"""

import io
import logging
from decimal import Decimal

import pytest
from django.db import connection

from campaigns.choices import CampaignStatus, ChannelKind, LoadStatus, RejectReason
from campaigns.decisioning import decide
from campaigns.loads import files, runs
from campaigns.models import Customer, LoadRun, TargetGroup, TargetGroupMember
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "customer_id,offer_code,propensity,expected_value,rank,reason,model_driver\n"
NAME = "target_group__UP-DATA__20261123.csv"
# (file field, what is stored) for rows that load; the rows after them are refused.
LOADED = {
    "C0001": ("Used all data in 2 of the last 3 months", "Used all data in 2 of the last 3 months"),
    "C0002": ('"  padded\tand\t\ttabbed  "', "padded and tabbed"),
    "C0003": ("", None),
    "C0004": ("   ", None),
    "C0005": ("zero\u200bwidth\u00a0and\u2003spaces", "zerowidth and spaces"),
    "C0006": ("bell\x07rings", "bell rings"),
    "C0007": ('"spent > 100 PLN, < 3 calls"', "spent > 100 PLN, < 3 calls"),
    "C0008": ("\u202eright-to-left\u202c override", "right-to-left override"),
    "C0009": ("x" * 200, "x" * 200),
}
REFUSED = [
    ("C0010", "<b>Heavy user</b>", "reason contains markup (“<b”)"),
    ("C0011", "y" * 201, "reason is 201 characters long (at most 200)"),
    ("C0012", '"Churn risk <script>alert(1)</script>"', "reason contains markup (“<s”)"),
    ("C0013", "z" * 150 + "\u200b" * 60, None),  # 150 once cleaned: loads
]


@pytest.fixture
def world(inbox):
    offer = OfferFactory(code="DATA-20", channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        code="UP-DATA",
        status=CampaignStatus.LIVE,
        offers=[offer],
        control_share=Decimal("0"),
        channel_kinds=[ChannelKind.STORE],
    )
    for n in range(1, 21):
        CustomerFactory(external_id=f"C{n:04d}")
    TargetGroup.objects.create(campaign=campaign, reject_threshold=100)
    return inbox


def put(inbox, content: str, name: str = NAME) -> files.InboxFile:
    path = inbox / name
    path.write_text(content, encoding="utf-8")
    path.with_name(name + ".ok").write_text("")
    return files.parse_name(path)


def load(info: files.InboxFile, caplog) -> LoadRun:
    with caplog.at_level(logging.INFO, logger="cvm.loads"):
        run = runs.register_file(info, started_by="test")
        return runs.run_load(run_id=run.pk)


def hostile_file(*, unreadable_number: bool = False) -> str:
    lines = [
        f"{cid},DATA-20,0.5,10,{n},{field},usage"
        for n, (cid, (field, _stored)) in enumerate(LOADED.items(), 1)
    ]
    lines += [
        f"{cid},DATA-20,0.5,10,{n},{field},usage" for n, (cid, field, _d) in enumerate(REFUSED, 20)
    ]
    if unreadable_number:
        lines.append("C0014,DATA-20,abc,10,30,fine,usage")
    return HEADER + "\n".join(lines) + "\n"


def stored_reasons(run: LoadRun) -> dict[str, str | None]:
    return dict(
        TargetGroupMember.objects.filter(version=run.version).values_list("customer_id", "reason")
    )


def assert_hostile_reasons_handled(run: LoadRun) -> None:
    assert run.status == LoadStatus.SUCCEEDED, run.error
    expected = {cid: stored for cid, (_field, stored) in LOADED.items()}
    expected["C0013"] = "z" * 150
    assert stored_reasons(run) == expected
    rejects = list(run.rejects.order_by("line").values_list("line", "reason", "detail")[:3])
    first = len(LOADED) + 2  # the header is line 1
    assert rejects == [
        (first, RejectReason.BAD_TEXT, "reason contains markup (“<b”)"),
        (first + 1, RejectReason.BAD_TEXT, "reason is 201 characters long (at most 200)"),
        (first + 2, RejectReason.BAD_TEXT, "reason contains markup (“<s”)"),
    ]


def test_reasons_are_stored_cleaned_and_markup_or_overlong_ones_are_refused(world, caplog):
    # Given a file whose reasons need cleaning (PostgreSQL: COPY takes it, the rows that need
    # cleaning are checked one by one)
    info = put(world, hostile_file())
    # When it is loaded
    run = load(info, caplog)
    # Then clean reasons are kept, the others cleaned, and markup or overlong ones refused
    assert_hostile_reasons_handled(run)
    assert run.rows_rejected == 3
    if connection.vendor == "postgresql":
        assert "careful path" not in caplog.text
        assert "rows checked one by one" in caplog.text


def test_the_careful_path_cleans_and_refuses_reasons_as_the_rules_do(world, caplog):
    # Given the same reasons beside a number no cast can read (PostgreSQL: the careful path,
    # every rule in SQL)
    info = put(world, hostile_file(unreadable_number=True))
    # When it is loaded
    run = load(info, caplog)
    # Then the reasons come out exactly as on the other paths
    assert_hostile_reasons_handled(run)
    assert run.rows_rejected == 4
    if connection.vendor == "postgresql":
        assert "careful path" in caplog.text


def test_a_clean_reason_column_loads_without_a_second_look_at_any_row(world, caplog):
    content = HEADER + "".join(
        f"C{n:04d},DATA-20,0.5,10,{n},Used all data in {n % 3 + 1} of the last 3 months,usage\n"
        for n in range(1, 21)
    )
    run = load(put(world, content), caplog)
    assert run.status == LoadStatus.SUCCEEDED and run.rows_loaded == 20, run.error
    assert stored_reasons(run)["C0002"] == "Used all data in 3 of the last 3 months"
    # The reason is part of the contract, not an extra attribute of the member.
    assert run.version.attribute_names == ["model_driver"]
    if connection.vendor == "postgresql":
        assert "checked one by one" not in caplog.text and "careful path" not in caplog.text


def test_without_the_column_members_have_no_reason(world, caplog):
    content = "customer_id,offer_code,rank\n" + "".join(
        f"C{n:04d},DATA-20,{n}\n" for n in range(1, 6)
    )
    run = load(put(world, content), caplog)
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert set(stored_reasons(run).values()) == {None}
    assert run.version.attribute_names == []


def test_a_parquet_files_reasons_are_cleaned_like_csv(world, caplog):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "customer_id": ["C0001", "C0002", "C0003", "C0004"],
            "reason": ["Heavy  user\n", None, "<i>x</i>", "Roams\tevery month"],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    path = world / "target_group__UP-DATA__20261123.parquet"
    path.write_bytes(buffer.getvalue())
    path.with_name(path.name + ".ok").write_text("")
    run = load(files.parse_name(path), caplog)
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert stored_reasons(run) == {
        "C0001": "Heavy user",
        "C0002": None,
        "C0004": "Roams every month",
    }
    assert list(run.rejects.values_list("line", "detail")) == [(4, "reason contains markup (“<i”)")]


def test_the_loaded_reason_is_what_the_console_shows_first(world, caplog):
    # Given a loaded file that says why for one customer and not for another
    content = HEADER + (
        "C0001,DATA-20,0.4,10,1,Used all data in 2 of the last 3 months,usage\n"
        "C0002,DATA-20,0.4,10,2,,usage\n"
    )
    assert load(put(world, content), caplog).status == LoadStatus.SUCCEEDED
    # When the store console decides for each
    told = Customer.objects.get(external_id="C0001")
    untold = Customer.objects.get(external_id="C0002")
    [for_told] = decide(customer=told, channel_kind="store").offers
    [for_untold] = decide(customer=untold, channel_kind="store").offers
    # Then the first hears the file's sentence, the second what the snapshot knows of them
    assert for_told.reason.startswith(
        "Used all data in 2 of the last 3 months · likely to accept: 40%"
    )
    assert for_untold.reason.startswith("Customer for 2 years, consumer postpaid, Silver tier · ")
