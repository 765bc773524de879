"""The control-group bucket: one rule in Python and in SQL, checked against PostgreSQL's own answers.

The known answers below were computed by PostgreSQL 15 (``SELECT hashtext(t)::bigint &
4294967295``, and the bucket ``mod(…, 10000)`` of "<customer id>:<code>"). They run on every
database, so a change of the key, its separator, the hash or the modulus fails on SQLite too,
not only where the Python rule can be compared with the server.
"""

from decimal import Decimal

import pytest
from django.db import connection

from campaigns.control import (
    BUCKET_SQL,
    control_bucket,
    hash_text,
    is_control,
    key_suffix,
    threshold,
)
from tests.factories import CampaignFactory, control_code_for

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
# hashtext(left('abcdefghijklmnopqrstuvwxyz', n)) for n = 0…25: every length of the tail and
# one and two whole 12-byte blocks.
HASHTEXT_OF_PREFIXES = [
    2817148525, 1075015857, 1718550461, 3509578647, 3901032492, 3849307716, 2547507136,
    501636814, 2334039091, 4202835807, 1948051852, 2811163603, 2708880084, 405849808,
    315215413, 2905683607, 2215217627, 1648114242, 3342670044, 3610316903, 766334193,
    2124303250, 4244358334, 3145591160, 1251586959, 980150893,
]  # fmt: skip
HASHTEXT_OF_TEXTS = {
    "Zażółć gęślą jaźń": 3842326082,  # UTF-8, as the server's encoding
    "日本語テキスト": 2699779680,
}
# (customer id, control code, hashtext of "<id>:<code>", its bucket)
BUCKETS = [
    ("C0000001", "UP-DATA", 233395688, 5688),
    ("C0000002", "UP-DATA", 3505995163, 5163),
    ("C0000003", "UP-DATA", 2930100487, 487),
    ("+48501234567", "XS-FIBRE", 908569717, 9717),
    ("C00000001", "BENCH-1", 1970520563, 563),
    ("", "X", 3984100530, 530),
    ("Ż-001", "WIN-BACK", 1114704070, 4070),
    ("CUST-000000000000000000000042", "RET-2026-Q1", 1088954623, 4623),
    ("C0000001", "UP-DATA~7", 93374449, 4449),
]


@pytest.mark.parametrize("length", range(len(ALPHABET)))
def test_hash_text_gives_postgresqls_hashtext_for_every_tail_length(length):
    assert hash_text(ALPHABET[:length]) == HASHTEXT_OF_PREFIXES[length]


@pytest.mark.parametrize(("text", "expected"), HASHTEXT_OF_TEXTS.items())
def test_hash_text_hashes_the_utf8_bytes_as_postgresql_does(text, expected):
    assert hash_text(text) == expected


@pytest.mark.parametrize(("customer", "code", "hashed", "bucket"), BUCKETS)
def test_the_bucket_is_postgresqls_hash_of_customer_colon_code_mod_10000(
    customer, code, hashed, bucket
):
    assert hash_text(f"{customer}:{code}") == hashed
    assert control_bucket(customer, code) == bucket


def test_a_customer_is_in_control_when_the_bucket_is_below_the_share_times_100():
    # Given C0000001 in UP-DATA, whose bucket is 5688
    # Then a share of 56.88 % leaves them out and 56.89 % takes them in; 0 % and 100 % are absolute
    assert threshold(Decimal("56.88")) == 5688
    assert not is_control("C0000001", "UP-DATA", Decimal("56.88"))
    assert is_control("C0000001", "UP-DATA", Decimal("56.89"))
    assert not is_control("C0000001", "UP-DATA", Decimal(0))
    assert is_control("C0000001", "UP-DATA", Decimal(100))


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("customer", "code", "hashed", "bucket"), BUCKETS)
def test_the_sql_bucket_gives_the_same_known_answers(customer, code, hashed, bucket):
    sql = "SELECT hashtext(%s || %s)::bigint & 4294967295, " + BUCKET_SQL.format(
        customer="%s", suffix="%s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer, key_suffix(code), customer, key_suffix(code)])
        assert cursor.fetchone() == (hashed, bucket)


@pytest.mark.postgres
@pytest.mark.django_db
def test_python_and_sql_agree_on_many_customers_and_spread_them_evenly():
    """The portable path and always-on offers (Python) hold out the same customers as the fast
    load and the call lists (SQL)."""
    ids = [f"C{n:07d}" for n in range(1, 3001)] + ["", "ż", "żółć:ŁÓDŹ-5G"]
    ids += ["x" * n for n in range(1, 40)]  # every length around the 12-byte blocks
    with connection.cursor() as cursor:
        bucket = BUCKET_SQL.format(customer="t", suffix="%s")
        cursor.execute(
            f"SELECT t, hashtext(t)::bigint & 4294967295, {bucket} FROM unnest(%s::text[]) t",  # noqa: S608 - constant SQL
            [key_suffix("UP-DATA"), ids],
        )
        rows = cursor.fetchall()
    assert len(rows) == len(ids)
    assert [(t, hash_text(t), control_bucket(t, "UP-DATA")) for t, _h, _b in rows] == rows
    share = sum(bucket < 1000 for _t, _h, bucket in rows[:3000]) / 3000
    assert 0.08 < share < 0.12  # a 10 % share holds about 10 %


@pytest.mark.django_db
def test_the_factory_finds_a_control_code_for_a_mixed_group():
    # Given a campaign and three customers of whom only the second must be held out
    campaign = CampaignFactory(code="UP-DATA")
    wanted = [("C0000001", False), ("C0000002", True), ("C0000003", False)]

    # When the factory looks for a control code
    code, share = control_code_for(campaign, wanted)

    # Then exactly the wanted customer is in that code's control group
    assert [is_control(ext, code, share) for ext, _control in wanted] == [False, True, False]


@pytest.mark.django_db
def test_the_factory_stops_with_a_clear_error_when_no_control_code_can_work(monkeypatch):
    # Given a bucket rule that puts everyone in the control group (a modulus gone wrong)
    monkeypatch.setattr("campaigns.control.is_control", lambda *_args: True)
    campaign = CampaignFactory(code="UP-DATA")

    # Then asking for one customer in and one out fails at once, saying why
    with pytest.raises(AssertionError, match="none of 10000 control codes"):
        control_code_for(campaign, [("C0000001", True), ("C0000002", False)])
