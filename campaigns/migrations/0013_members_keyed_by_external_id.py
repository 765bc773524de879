"""Members keyed the way warehouse files name them: customer external id and offer code.

Why: a target-group file can then be ``COPY``-ed straight into the version's table on
PostgreSQL (``campaigns.loading_pg``), with no second pass to look up internal ids. The
primary key becomes (customer, version), in the binary "C" collation on PostgreSQL, so a
new version's key sorts fast; the file line is no longer stored (rejected rows keep theirs);
the extra columns move from one JSON column to attribute_1 … attribute_10, named per
version by ``TargetGroupVersion.attribute_names``; control-group membership is no longer
stored per member but follows from the customer, the campaign code and the share, frozen on
the version (``TargetGroupVersion.in_control``).

Existing members are converted: ids become external ids and codes (members whose customer
no longer exists are dropped: no decision could use them), extra attributes keep their
values, and versions take their campaign's code and share. The stored control flags give way
to the computed ones; they agree for every version loaded since the control hash became
PostgreSQL's hashtext. Not reversible.
"""

import json

import django.db.models.deletion
from django.db import migrations, models

ATTRIBUTES = [f"attribute_{n}" for n in range(1, 11)]
COLUMNS = ["customer_external_id", "version_id", "offer_code", "propensity", "expected_value",
           "rank", *ATTRIBUTES]  # fmt: skip
PARENT = "campaigns_targetgroupmember"
STASH = "campaigns_targetgroupmember_conversion"
POSTGRES_TABLE = (
    f"CREATE TABLE {PARENT} ("
    ' customer_external_id varchar(64) COLLATE "C" NOT NULL,'
    " version_id bigint NOT NULL,"
    ' offer_code varchar(40) COLLATE "C" NULL,'
    " propensity double precision NULL,"
    " expected_value numeric(12, 2) NULL,"
    " rank integer NULL,"
    + "".join(f" {a} text NULL," for a in ATTRIBUTES)
    + " PRIMARY KEY (customer_external_id, version_id)"
    ") PARTITION BY LIST (version_id)"
)


def _names(cursor, version_id) -> list[str]:
    """The extra column names of a version, from one of its members' old JSON attributes."""
    cursor.execute(
        f"SELECT attributes FROM {PARENT} WHERE version_id = %s AND attributes IS NOT NULL LIMIT 1",
        [version_id],
    )
    row = cursor.fetchone()
    if row is None:
        return []
    value = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    return list(value)[: len(ATTRIBUTES)]


def customer_ids_in_c(apps, schema_editor):
    """PostgreSQL: customer ids compare byte by byte (COLLATE "C"), as members' do, so a load
    checks its customers by merging two indexes in the same order. For the ASCII ids of the
    warehouse the order is the one C.UTF-8 gave; comparisons get cheaper."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE campaigns_customer ALTER COLUMN external_id TYPE varchar(64) COLLATE "C"'
        )


def convert(apps, schema_editor):
    connection = schema_editor.connection
    vendor = connection.vendor
    Version = apps.get_model("campaigns", "TargetGroupVersion")
    for version in Version.objects.select_related("target_group__campaign"):
        campaign = version.target_group.campaign
        version.control_code, version.control_share = campaign.code, campaign.control_share
        version.save(update_fields=["control_code", "control_share"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT version_id FROM {PARENT}")
        version_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"CREATE TABLE {STASH} AS SELECT c.external_id AS customer_external_id, m.version_id,"
            " o.code AS offer_code, m.propensity, m.expected_value, m.rank,"
            + ", ".join(f"CAST(NULL AS text) AS {a}" for a in ATTRIBUTES)
            + f" FROM {PARENT} m JOIN campaigns_customer c ON c.id = m.customer_id"
            " LEFT JOIN campaigns_offer o ON o.id = m.offer_id"
        )
        for version_id in version_ids:
            names = _names(cursor, version_id)
            if not names:
                continue
            Version.objects.filter(pk=version_id).update(attribute_names=names)
            for column, name in zip(ATTRIBUTES, names, strict=False):
                if vendor == "postgresql":
                    value = "m.attributes ->> %s"
                else:
                    value = "json_extract(m.attributes, '$.\"' || %s || '\"')"
                cursor.execute(
                    f"UPDATE {STASH} SET {column} = (SELECT {value} FROM {PARENT} m"
                    f" JOIN campaigns_customer c ON c.id = m.customer_id"
                    f" WHERE m.version_id = {STASH}.version_id"
                    f" AND c.external_id = {STASH}.customer_external_id)"
                    f" WHERE version_id = %s",
                    [name, version_id],
                )
        if vendor == "postgresql":
            cursor.execute(f"DROP TABLE {PARENT} CASCADE")
            cursor.execute(POSTGRES_TABLE)
            for version_id in version_ids:
                cursor.execute(
                    f"CREATE TABLE {PARENT}_v{int(version_id)} PARTITION OF {PARENT}"
                    f" FOR VALUES IN ({int(version_id)})"
                )
        else:
            cursor.execute(f"DROP TABLE {PARENT}")
            schema_editor.create_model(apps.get_model("campaigns", "TargetGroupMember"))
        columns = ", ".join(COLUMNS)
        cursor.execute(f"INSERT INTO {PARENT} ({columns}) SELECT {columns} FROM {STASH}")
        cursor.execute(f"DROP TABLE {STASH}")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0012_decision_indexes_once"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetgroupversion",
            name="attribute_names",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The file's extra columns, in the order the members' attributes hold them.",
                verbose_name="extra columns",
            ),
        ),
        migrations.AddField(
            model_name="targetgroupversion",
            name="control_code",
            field=models.CharField(
                default="", max_length=40, verbose_name="campaign code for the control group"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="targetgroupversion",
            name="control_share",
            field=models.DecimalField(
                decimal_places=2, default=0, max_digits=5, verbose_name="control-group share (%)"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name="targetgroupmember",
                    name="tgmember_customer_idx",
                ),
                migrations.RemoveField(
                    model_name="targetgroupmember",
                    name="attributes",
                ),
                migrations.RemoveField(
                    model_name="targetgroupmember",
                    name="line",
                ),
                migrations.RemoveField(
                    model_name="targetgroupmember",
                    name="is_control",
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_1",
                    field=models.TextField(null=True, verbose_name="extra attribute 1"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_10",
                    field=models.TextField(null=True, verbose_name="extra attribute 10"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_2",
                    field=models.TextField(null=True, verbose_name="extra attribute 2"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_3",
                    field=models.TextField(null=True, verbose_name="extra attribute 3"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_4",
                    field=models.TextField(null=True, verbose_name="extra attribute 4"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_5",
                    field=models.TextField(null=True, verbose_name="extra attribute 5"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_6",
                    field=models.TextField(null=True, verbose_name="extra attribute 6"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_7",
                    field=models.TextField(null=True, verbose_name="extra attribute 7"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_8",
                    field=models.TextField(null=True, verbose_name="extra attribute 8"),
                ),
                migrations.AddField(
                    model_name="targetgroupmember",
                    name="attribute_9",
                    field=models.TextField(null=True, verbose_name="extra attribute 9"),
                ),
                migrations.AlterField(
                    model_name="targetgroupmember",
                    name="customer",
                    field=models.ForeignKey(
                        db_column="customer_external_id",
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="target_memberships",
                        to="campaigns.customer",
                        to_field="external_id",
                    ),
                ),
                migrations.AlterField(
                    model_name="targetgroupmember",
                    name="offer",
                    field=models.ForeignKey(
                        db_column="offer_code",
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.offer",
                        to_field="code",
                    ),
                ),
                migrations.AlterField(
                    model_name="targetgroupmember",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "customer_id",
                        "version_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddIndex(
                    model_name="targetgroupmember",
                    index=models.Index(fields=["version"], name="tgmember_version_idx"),
                ),
            ],
        ),
        migrations.RunPython(customer_ids_in_c),
        migrations.RunPython(convert),
    ]
