"""Execution rollups for the programme results (``campaigns.results.rollups``): a day's counts
per agent, site and channel, the reasons behind declines and offers not presented, each
member's first contact per campaign and channel kind; an index of outcomes by the time they
were recorded (the rollups re-read recent days by it); and the schedule that keeps the
rollups fresh (editable in the admin → Periodic tasks)."""

import django.db.models.deletion
from django.db import migrations, models

CHANNEL_KINDS = [
    ("store", "Store"),
    ("inbound_call", "Inbound call"),
    ("outbound_call", "Outbound call"),
    ("field", "Field"),
    ("web", "Web"),
    ("app", "App"),
    ("chatbot", "Chatbot"),
    ("ussd", "USSD"),
    ("ivr", "IVR"),
]
GRAINS = [("agent", "per agent"), ("site", "per site"), ("channel", "per channel")]
NAME = "Refresh programme results"


def _key_fields():
    return [
        (
            "id",
            models.BigAutoField(
                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
            ),
        ),
        ("grain", models.CharField(choices=GRAINS, max_length=10, verbose_name="grain")),
        ("day", models.DateField(verbose_name="day")),
        (
            "campaign",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        (
            "channel_kind",
            models.CharField(choices=CHANNEL_KINDS, max_length=20, verbose_name="channel kind"),
        ),
        ("site_id", models.BigIntegerField(blank=True, null=True, verbose_name="site")),
        ("agent_id", models.BigIntegerField(blank=True, null=True, verbose_name="agent")),
    ]


def _counter(label: str, help_text: str = "", big: bool = False):
    field = models.PositiveBigIntegerField if big else models.PositiveIntegerField
    return field(default=0, verbose_name=label, help_text=help_text)


def _indexes(prefix: str):
    return [
        models.Index(fields=["grain", "day"], name=f"{prefix}_day_idx"),
        models.Index(fields=["grain", "campaign", "day"], name=f"{prefix}_campaign_idx"),
        models.Index(fields=["grain", "site_id", "day"], name=f"{prefix}_site_idx"),
        models.Index(fields=["grain", "agent_id", "day"], name=f"{prefix}_agent_idx"),
    ]


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "campaigns.refresh_results",
            "interval": every,
            "enabled": True,
            # Not run within its quarter (no worker): dropped, the next one does the same work.
            "expire_seconds": 14 * 60,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0019_conversions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyExecution",
            fields=[
                *_key_fields(),
                ("contacts", _counter("contacts", "Decisions that showed at least one offer.")),
                ("shown", _counter("offers shown")),
                ("held_out", _counter("held out (control group)")),
                ("accepted", _counter("accepted")),
                ("declined", _counter("declined")),
                ("later", _counter("later")),
                ("not_presented", _counter("not presented")),
                (
                    "confirmed",
                    _counter(
                        "confirmed conversions",
                        "Accepted offers of the day that the warehouse's activations confirm.",
                    ),
                ),
                (
                    "reached_new",
                    _counter("members reached for the first time in this channel kind"),
                ),
                (
                    "reached_new_any",
                    _counter("members reached for the first time in any channel kind"),
                ),
                ("attempts", _counter("call attempts")),
                ("attempts_reached", _counter("call attempts answered")),
                ("callbacks_set", _counter("callbacks set")),
                ("callbacks_due", _counter("callbacks due")),
                ("callbacks_kept", _counter("callbacks kept")),
                ("leads_expired", _counter("leads expired")),
                (
                    "handling_seconds",
                    _counter(
                        "handling time (s)",
                        "Outbound: estimated from the time between an agent's call attempts.",
                        big=True,
                    ),
                ),
            ],
            options={
                "verbose_name": "daily execution",
                "verbose_name_plural": "daily execution",
                "ordering": ["-day", "campaign"],
                "indexes": _indexes("execution"),
            },
        ),
        migrations.CreateModel(
            name="DailyReason",
            fields=[
                *_key_fields(),
                ("outcome", models.CharField(max_length=20, verbose_name="outcome")),
                (
                    "reason",
                    models.CharField(
                        help_text="A decline reason's code or a not-presented code.",
                        max_length=40,
                        verbose_name="reason",
                    ),
                ),
                ("count", _counter("count")),
            ],
            options={
                "verbose_name": "daily reason count",
                "verbose_name_plural": "daily reason counts",
                "ordering": ["-day", "campaign"],
                "indexes": _indexes("reason"),
            },
        ),
        migrations.CreateModel(
            name="FirstContact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.customer",
                    ),
                ),
                (
                    "channel_kind",
                    models.CharField(
                        choices=CHANNEL_KINDS, max_length=20, verbose_name="channel kind"
                    ),
                ),
                (
                    "held_out",
                    models.BooleanField(default=False, verbose_name="held out (control group)"),
                ),
                ("first_at", models.DateTimeField(verbose_name="first contact")),
                ("site_id", models.BigIntegerField(blank=True, null=True, verbose_name="site")),
                ("agent_id", models.BigIntegerField(blank=True, null=True, verbose_name="agent")),
            ],
            options={
                "verbose_name": "first contact",
                "verbose_name_plural": "first contacts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "customer", "channel_kind", "held_out"),
                        name="first_contact_once",
                    )
                ],
                "indexes": [models.Index(fields=["first_at"], name="first_contact_at_idx")],
            },
        ),
        migrations.CreateModel(
            name="ResultsRefresh",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_day", models.DateField(verbose_name="from")),
                ("last_day", models.DateField(verbose_name="to")),
                ("started_at", models.DateTimeField(verbose_name="started")),
                ("finished_at", models.DateTimeField(verbose_name="finished")),
                (
                    "conversions_run_id",
                    models.BigIntegerField(
                        blank=True, null=True, verbose_name="newest conversions load counted"
                    ),
                ),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="rows written")),
            ],
            options={
                "verbose_name": "results refresh",
                "verbose_name_plural": "results refreshes",
                "ordering": ["-finished_at"],
                "indexes": [models.Index(fields=["finished_at"], name="results_refresh_at_idx")],
            },
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["recorded_at"], name="response_recorded_idx"),
        ),
        migrations.RunPython(schedule, unschedule),
    ]
