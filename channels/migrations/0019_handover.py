"""Chatbot hand-overs to inbound agents (issue 17, item 6)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0018_ussd"),
        ("campaigns", "0028_decision_context"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Handover",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "conversation_id",
                    models.CharField(max_length=100, verbose_name="conversation id"),
                ),
                (
                    "phone",
                    models.CharField(
                        blank=True,
                        help_text="As the bot gave it (E.164 when it is a number).",
                        max_length=32,
                        verbose_name="phone number",
                    ),
                ),
                ("intent", models.CharField(max_length=100, verbose_name="intent")),
                ("summary", models.CharField(max_length=1000, verbose_name="summary")),
                (
                    "transcript_url",
                    models.URLField(blank=True, max_length=500, verbose_name="transcript"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("waiting", "Waiting"), ("taken", "Taken"), ("closed", "Closed")],
                        default="waiting",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="handed over")),
                ("taken_at", models.DateTimeField(blank=True, null=True, verbose_name="taken")),
                ("site_id", models.BigIntegerField(blank=True, null=True, verbose_name="site")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("resolved", "Resolved"),
                            ("offer_accepted", "Offer accepted"),
                            ("offer_declined", "Offer declined"),
                            ("callback_arranged", "Callback arranged"),
                            ("not_resolved", "Not resolved"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handovers",
                        to="channels.apiclient",
                        verbose_name="chatbot",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the caller's number belongs to no customer.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handovers",
                        to="campaigns.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="taken by",
                    ),
                ),
            ],
            options={
                "verbose_name": "hand-over",
                "verbose_name_plural": "hand-overs",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["status", "created_at"], name="handover_queue_idx"),
                    models.Index(fields=["customer", "-created_at"], name="handover_customer_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("client", "conversation_id"), name="handover_one_per_conversation"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["waiting", "taken", "closed"])),
                        name="handover_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("closed_at__isnull", False),
                                ("status", "closed"),
                                models.Q(("outcome", ""), _negated=True),
                            ),
                            models.Q(
                                models.Q(("status", "closed"), _negated=True), ("outcome", "")
                            ),
                            _connector="OR",
                        ),
                        name="handover_outcome_when_closed",
                    ),
                ],
            },
        ),
    ]
