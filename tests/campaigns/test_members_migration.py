"""Migration campaigns 0013 converts members of the old layout (internal ids, one JSON column of
extra attributes) to the new one (external ids and offer codes, attribute columns)."""

import importlib
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from campaigns.models import TargetGroup, TargetGroupMember, TargetGroupVersion
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
MIGRATION = "0013_members_keyed_by_external_id"


def old_members_table(rows):
    """The members table as migration 0012 left it (unpartitioned, as on SQLite), with ``rows``."""
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    with connection.cursor() as cur:
        cur.execute(
            "DROP TABLE campaigns_targetgroupmember"
            + (" CASCADE" if connection.vendor == "postgresql" else "")
        )
        cur.execute(
            "CREATE TABLE campaigns_targetgroupmember (propensity double precision NULL,"
            " expected_value numeric(12, 2) NULL, rank integer NULL, is_control boolean NOT NULL,"
            f" line integer NOT NULL, attributes {json_type} NULL, customer_id bigint NOT NULL,"
            " offer_id bigint NULL, version_id bigint NOT NULL,"
            " PRIMARY KEY (version_id, customer_id))"
        )
        for row in rows:
            cur.execute(
                "INSERT INTO campaigns_targetgroupmember (propensity, expected_value, rank,"
                " is_control, line, attributes, customer_id, offer_id, version_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                row,
            )


def redo_later_member_changes(editor):
    """What later migrations changed in the member table (0017: the reason column), done again
    on the table 0013 rebuilt, so the test leaves the table as migrate made it."""
    loader = MigrationLoader(connection)
    later = sorted(
        key for key in loader.graph.nodes if key[0] == "campaigns" and key[1] > MIGRATION
    )
    for key in later:
        operations = loader.graph.nodes[key].operations
        if not any(getattr(op, "model_name", "") == "targetgroupmember" for op in operations):
            continue
        state = loader.project_state(key, at_end=False)
        for operation in operations:
            after = state.clone()
            operation.state_forwards("campaigns", after)
            if getattr(operation, "model_name", "") == "targetgroupmember":
                operation.database_forwards("campaigns", editor, state, after)
            state = after


def test_members_are_converted_to_external_ids_codes_and_attribute_columns():
    offer = OfferFactory(code="DATA-20")
    campaign = CampaignFactory(code="UP-DATA", offers=[offer], control_share=Decimal("25"))
    kept, plain, gone = CustomerFactory(external_id="C0001"), CustomerFactory(), CustomerFactory()
    group = TargetGroup.objects.create(campaign=campaign)
    version = TargetGroupVersion.objects.create(target_group=group, control_code="")
    attributes = json.dumps({"segment": "gold", "note": "=1+1"})
    old_members_table(
        [
            (0.5, Decimal("12.50"), 1, False, 2, attributes, kept.pk, offer.pk, version.pk),
            (None, None, None, True, 3, None, plain.pk, None, version.pk),
            (0.1, None, 3, False, 4, None, gone.pk, None, version.pk),
        ]
    )
    gone.delete()  # a member whose customer no longer exists: no decision could use it

    migration = importlib.import_module(f"campaigns.migrations.{MIGRATION}")
    apps = MigrationLoader(connection).project_state(("campaigns", MIGRATION)).apps
    with connection.schema_editor() as editor:
        migration.convert(apps, editor)
        redo_later_member_changes(editor)

    version.refresh_from_db()
    assert (version.control_code, version.control_share) == ("UP-DATA", Decimal("25.00"))
    assert sorted(version.attribute_names) == ["note", "segment"]
    members = {
        m.customer_id: m
        for m in TargetGroupMember.objects.filter(version=version).select_related("version")
    }
    assert set(members) == {"C0001", plain.external_id}
    first = members["C0001"]
    assert (first.offer, first.propensity, first.expected_value, first.rank) == (
        offer, 0.5, Decimal("12.50"), 1,
    )  # fmt: skip
    assert first.attributes == {"segment": "gold", "note": "=1+1"}
    assert members[plain.external_id].attributes == {"segment": None, "note": None}
    # The table is the new one again: a member of the new layout can be written and found.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'campaigns_targetgroupmember'::regclass"
            )
            assert cur.fetchone()[0] == 1  # the version's partition
