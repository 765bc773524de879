"""The count of API decisions answered past their time budget (degraded), per day and kind."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0026_message_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DegradedDecisions",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "channel_kind",
                    models.CharField(
                        choices=[
                            ("store", "Store"),
                            ("inbound_call", "Inbound call"),
                            ("outbound_call", "Outbound call"),
                            ("field", "Field"),
                            ("web", "Web"),
                            ("app", "App"),
                            ("chatbot", "Chatbot"),
                            ("ussd", "USSD"),
                            ("ivr", "IVR"),
                        ],
                        max_length=20,
                        verbose_name="channel kind",
                    ),
                ),
                (
                    "count",
                    models.PositiveIntegerField(default=0, verbose_name="degraded decisions"),
                ),
            ],
            options={
                "verbose_name": "degraded decisions",
                "verbose_name_plural": "degraded decisions",
                "ordering": ["-day", "channel_kind"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "channel_kind"), name="degraded_one_per_day_kind"
                    )
                ],
            },
        ),
    ]
