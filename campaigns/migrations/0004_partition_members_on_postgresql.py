"""On PostgreSQL, target-group members are partitioned by version.

A load fills a table of its own, builds its primary key after the data, and attaches it
as a partition in the activation transaction; pruning a version detaches and drops its
table. The primary key (version, customer) is the only index on PostgreSQL: a look-up of
one customer in the live versions uses it partition by partition, so the per-customer
index of the model (kept on SQLite) would only slow every load down.
SQLite keeps the plain table created by 0003.
"""

from django.db import migrations

COLUMNS = """
    propensity double precision NULL,
    expected_value numeric(12, 2) NULL,
    rank integer NULL,
    is_control boolean NOT NULL,
    line integer NOT NULL,
    attributes jsonb NULL,
    customer_id bigint NOT NULL,
    offer_id bigint NULL,
    version_id bigint NOT NULL,
    PRIMARY KEY (version_id, customer_id)
"""
CREATE = f"DROP TABLE campaigns_targetgroupmember; CREATE TABLE campaigns_targetgroupmember ({COLUMNS}) PARTITION BY LIST (version_id);"
PLAIN = (
    f"DROP TABLE campaigns_targetgroupmember; CREATE TABLE campaigns_targetgroupmember ({COLUMNS});"
    " CREATE INDEX tgmember_customer_idx ON campaigns_targetgroupmember (customer_id, version_id);"
)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLAIN)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_target_groups_and_loads")]

    operations = [migrations.RunPython(partition, unpartition)]
