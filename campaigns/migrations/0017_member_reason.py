"""A target-group member may carry a reason (the file's optional ``reason`` column), shown under
"Why"; a row whose reason has markup or is too long is rejected as ``bad_text``.

On PostgreSQL the member table is partitioned by version (0004, 0013): adding a column to the
partitioned parent adds it to every version's table, and a nullable column without a default
rewrites none of them. A load's new table has the column too (``member_sql.create_table``).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0016_undone_outcomes")]

    operations = [
        migrations.AddField(
            model_name="targetgroupmember",
            name="reason",
            field=models.TextField(
                blank=True,
                help_text="Why the warehouse chose this customer, shown to agents under “Why”.",
                null=True,
                verbose_name="reason",
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
    ]
