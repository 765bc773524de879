"""Confirmed conversions: the warehouse's nightly conversions file (product activations), a load
kind of its own, and each campaign's attribution window.

The conversion's customer column holds the external id, as the members' does; on PostgreSQL it
compares byte by byte (COLLATE "C") like ``campaigns_customer.external_id`` and the members'
column (0013), so the uplift query joins them without a collation conflict.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def customer_ids_in_c(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE campaigns_conversion"
            ' ALTER COLUMN customer_external_id TYPE varchar(64) COLLATE "C"'
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0018_contact_preferences")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="attribution_days",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="An accepted offer counts as a confirmed conversion when the warehouse "
                "reports its product activated within this many days of the acceptance (1–365).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="attribution window (days)",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("attribution_days__gte", 1), ("attribution_days__lte", 365)),
                name="campaign_attribution_days_1_365",
            ),
        ),
        migrations.RemoveConstraint(model_name="loadrun", name="load_run_kind_valid"),
        migrations.AlterField(
            model_name="loadrun",
            name="kind",
            field=models.CharField(
                choices=[
                    ("customers", "Customer snapshot"),
                    ("target_group", "Target group"),
                    ("conversions", "Conversions"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="loadrun",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["customers", "target_group", "conversions"])),
                name="load_run_kind_valid",
            ),
        ),
        migrations.AlterField(
            model_name="loadreject",
            name="reason",
            field=models.CharField(
                choices=[
                    ("missing_value", "A required value is empty"),
                    ("unknown_customer", "Unknown customer id"),
                    ("unknown_offer", "Unknown offer code, or the offer is not in this campaign"),
                    ("unknown_product", "Unknown product code"),
                    ("duplicate", "Duplicate of an earlier line"),
                    ("bad_number", "Not a number"),
                    ("out_of_range", "Value out of range"),
                    ("bad_phone", "Not a valid phone number"),
                    ("phone_taken", "Phone number belongs to another customer"),
                    ("bad_choice", "Not one of the allowed values"),
                    ("bad_date", "Not a date (YYYY-MM-DD)"),
                    ("bad_boolean", "Not a yes/no value (1/0, true/false, y/n)"),
                    ("wrong_field_count", "Wrong number of fields on the line"),
                    ("bad_code", "Not a valid product code"),
                    ("bad_text", "Text with markup, or too long"),
                ],
                max_length=30,
                verbose_name="reason",
            ),
        ),
        migrations.CreateModel(
            name="Conversion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("activated_on", models.DateField(verbose_name="activated on")),
                (
                    "value",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="value"
                    ),
                ),
                (
                    "order_ref",
                    models.CharField(
                        blank=True,
                        help_text="Empty when the warehouse gives none (empty, not null, so it "
                        "counts in the key).",
                        max_length=64,
                        verbose_name="order reference",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        db_column="customer_external_id",
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="conversions",
                        to="campaigns.customer",
                        to_field="external_id",
                        verbose_name="customer",
                    ),
                ),
                (
                    "load_run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversions",
                        to="campaigns.loadrun",
                        verbose_name="load run",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="conversions",
                        to="campaigns.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "conversion",
                "verbose_name_plural": "conversions",
                "ordering": ["-activated_on"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("customer", "product", "activated_on", "order_ref"),
                        name="conversion_once",
                    )
                ],
            },
        ),
        migrations.RunPython(customer_ids_in_c, migrations.RunPython.noop),
    ]
