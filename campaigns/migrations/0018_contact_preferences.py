"""Contact preferences recorded in the console: each change to a consent or do-not-contact,
who made it and whether it still overrides the nightly snapshot (issue 14, item 9)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0017_member_reason"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactPreferenceChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "field",
                    models.CharField(
                        choices=[
                            ("consent_marketing", "Offers during service contacts"),
                            ("consent_calls", "Marketing calls and visits"),
                            ("consent_sms", "SMS and USSD messages"),
                            ("consent_app_push", "App notifications"),
                            ("consent_digital", "Personalised web and chat offers"),
                            ("do_not_contact", "Do not contact at all"),
                        ],
                        max_length=20,
                        verbose_name="preference",
                    ),
                ),
                ("old_value", models.BooleanField(verbose_name="before")),
                ("new_value", models.BooleanField(verbose_name="after")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("console", "Console (agent)"),
                            ("warehouse", "Warehouse (newer change)"),
                        ],
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                ("site_id", models.BigIntegerField(blank=True, null=True, verbose_name="site")),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "retired_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the snapshot stopped being overruled by this console change: it carried the same value, or a newer change of the warehouse's.",
                        null=True,
                        verbose_name="override retired",
                    ),
                ),
                (
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="preference_changes",
                        to="campaigns.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "load_run",
                    models.ForeignKey(
                        blank=True,
                        help_text="For a warehouse change: the load that brought it.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="campaigns.loadrun",
                        verbose_name="snapshot load",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact preference change",
                "verbose_name_plural": "contact preference changes",
                "ordering": ["-at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "field__in",
                                [
                                    "consent_marketing",
                                    "consent_calls",
                                    "consent_sms",
                                    "consent_app_push",
                                    "consent_digital",
                                    "do_not_contact",
                                ],
                            )
                        ),
                        name="preference_field_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("source__in", ["console", "warehouse"])),
                        name="preference_source_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("source", "console"), _negated=True),
                            models.Q(("field", "do_not_contact"), ("new_value", True)),
                            models.Q(
                                models.Q(("field", "do_not_contact"), _negated=True),
                                ("new_value", False),
                            ),
                            _connector="OR",
                        ),
                        name="preference_console_only_withdraws",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("source", "console"), _negated=True),
                            ("agent__isnull", False),
                            _connector="OR",
                        ),
                        name="preference_console_has_agent",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("retired_at__isnull", True), ("source", "console")),
                        fields=("customer", "field"),
                        name="preference_one_override",
                    ),
                ],
            },
        ),
    ]
