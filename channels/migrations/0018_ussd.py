"""USSD sessions of the USSD gateway (issue 17, item 5)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0017_events"),  # which depends on campaigns 0028 (Decision)
    ]

    operations = [
        migrations.CreateModel(
            name="UssdSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "session_id",
                    models.CharField(max_length=100, unique=True, verbose_name="session id"),
                ),
                ("language", models.CharField(max_length=8, verbose_name="language")),
                ("started_at", models.DateTimeField(db_index=True, verbose_name="started")),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.decision",
                        verbose_name="decision",
                    ),
                ),
            ],
            options={
                "verbose_name": "USSD session",
                "verbose_name_plural": "USSD sessions",
            },
        ),
    ]
