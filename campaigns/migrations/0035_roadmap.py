"""The roadmap board: CVM initiatives and what each channel team builds for them (issue 19)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("planned", "Planned"),
    ("in_progress", "In progress"),
    ("blocked", "Blocked"),
    ("done", "Done"),
]
WORK_HELP = "What the channel team must build or change for the initiative."


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0034_service_contacts")]

    operations = [
        migrations.CreateModel(
            name="Initiative",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                ("goal", models.TextField(blank=True, verbose_name="goal")),
                ("starts_on", models.DateField(verbose_name="starts")),
                ("ends_on", models.DateField(verbose_name="ends")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "owner",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_initiatives",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "campaigns",
                    models.ManyToManyField(
                        blank=True,
                        related_name="initiatives",
                        to="campaigns.campaign",
                        verbose_name="campaigns it serves",
                    ),
                ),
            ],
            options={
                "verbose_name": "initiative",
                "verbose_name_plural": "initiatives",
                "ordering": ["starts_on", "name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="initiative_ends_after_start",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RoadmapItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel_kind", models.CharField(max_length=40, verbose_name="channel")),
                ("work", models.TextField(help_text=WORK_HELP, verbose_name="work")),
                ("status", models.CharField(choices=STATUSES, default="planned", max_length=20, verbose_name="status")),
                ("target_date", models.DateField(blank=True, null=True, verbose_name="target date")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "initiative",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="campaigns.initiative",
                        verbose_name="initiative",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="updated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "roadmap item",
                "verbose_name_plural": "roadmap items",
                "ordering": ["initiative", "channel_kind", "pk"],
                "indexes": [models.Index(fields=["channel_kind", "status"], name="roadmap_kind_status")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["planned", "in_progress", "blocked", "done"])),
                        name="roadmap_status_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalRoadmapItem",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("channel_kind", models.CharField(max_length=40, verbose_name="channel")),
                ("work", models.TextField(help_text=WORK_HELP, verbose_name="work")),
                ("status", models.CharField(choices=STATUSES, default="planned", max_length=20, verbose_name="status")),
                ("target_date", models.DateField(blank=True, null=True, verbose_name="target date")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="updated")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "initiative",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.initiative",
                        verbose_name="initiative",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="updated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical roadmap item",
                "verbose_name_plural": "historical roadmap items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
