"""Digital events (issue 17): the event log — on PostgreSQL partitioned by month of
``occurred_at``, with this month's and the next two months' partitions — the presentations a
digital channel showed, the daily interest the results read, and the nightly task that makes
partitions ahead and drops those past CVM_EVENT_RETENTION_MONTHS."""

from datetime import UTC, datetime

import django.db.models.deletion
from django.db import migrations, models

EVENT_TABLE = "channels_digitalevent"
KIND_CHOICES = [
    ("impression", "Impression"),
    ("click", "Click"),
    ("dismissal", "Dismissal"),
    ("view", "View"),
    ("intent", "Intent"),
]
CHANNEL_KIND_CHOICES = [
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
MONTHS_AHEAD = 2
SCHEDULE = ("Make and drop digital event partitions", "channels.maintain_event_partitions")


def _month(year: int, month: int, plus: int) -> datetime:
    index = year * 12 + month - 1 + plus
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def create_event_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(apps.get_model("channels", "DigitalEvent"))
        return
    schema_editor.execute(
        f"""
        CREATE TABLE {EVENT_TABLE} (
            client_id bigint NOT NULL,
            event_id varchar(64) COLLATE "C" NOT NULL,  -- compared byte by byte: faster
            occurred_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            kind varchar(12) NOT NULL,
            customer_id varchar(64) NOT NULL,
            channel_kind varchar(20) NOT NULL,
            offer_code varchar(40) NOT NULL DEFAULT '',
            presentation_id bigint NULL,
            context jsonb NOT NULL DEFAULT '{{}}'::jsonb,
            -- Time before the event id: events come in roughly in time order, so new keys
            -- land on the index's newest pages (a random UUID first would touch any page).
            PRIMARY KEY (client_id, occurred_at, event_id)
        ) PARTITION BY RANGE (occurred_at)
        """
    )
    schema_editor.execute(
        f"CREATE INDEX event_interest_idx ON {EVENT_TABLE} (customer_id, occurred_at DESC) "
        "WHERE kind IN ('click', 'intent', 'dismissal')"
    )
    now = datetime.now(UTC)
    for plus in range(MONTHS_AHEAD + 1):
        start, end = _month(now.year, now.month, plus), _month(now.year, now.month, plus + 1)
        schema_editor.execute(
            f"CREATE TABLE {EVENT_TABLE}_p{start:%Y%m} PARTITION OF {EVENT_TABLE} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )


def drop_event_table(_apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {EVENT_TABLE} CASCADE")


def schedule(apps, _schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="20",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Warsaw",
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE[0], defaults={"task": SCHEDULE[1], "crontab": crontab, "enabled": True}
    )


def unschedule(apps, _schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0016_message_codes"),
        ("campaigns", "0028_decision_context"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="SeenPresentation",
            fields=[
                ("presentation", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="seen", serialize=False, to="campaigns.presentation", verbose_name="presentation")),
                ("seen_at", models.DateTimeField(verbose_name="first seen")),
                ("clicked_at", models.DateTimeField(blank=True, null=True, verbose_name="first clicked")),
            ],
            options={"verbose_name": "presentation seen", "verbose_name_plural": "presentations seen"},
        ),
        migrations.CreateModel(
            name="DailyInterest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("channel_kind", models.CharField(choices=CHANNEL_KIND_CHOICES, max_length=20, verbose_name="channel kind")),
                ("seen", models.PositiveIntegerField(default=0, verbose_name="presented (seen)")),
                ("clicked", models.PositiveIntegerField(default=0, verbose_name="interest (clicked)")),
                ("campaign", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="campaigns.campaign")),
                ("offer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="campaigns.offer")),
            ],
            options={
                "verbose_name": "daily digital interest",
                "verbose_name_plural": "daily digital interest",
                "constraints": [models.UniqueConstraint(fields=("campaign", "day", "offer", "channel_kind"), name="daily_interest_once")],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DigitalEvent",
                    fields=[
                        ("pk", models.CompositePrimaryKey("client_id", "event_id", "occurred_at", blank=True, editable=False, primary_key=True, serialize=False)),
                        ("event_id", models.CharField(max_length=64, verbose_name="event id")),
                        ("occurred_at", models.DateTimeField(verbose_name="occurred at")),
                        ("received_at", models.DateTimeField(verbose_name="received at")),
                        ("kind", models.CharField(choices=KIND_CHOICES, max_length=12, verbose_name="kind")),
                        ("customer_id", models.CharField(max_length=64, verbose_name="customer id")),
                        ("channel_kind", models.CharField(choices=CHANNEL_KIND_CHOICES, max_length=20, verbose_name="channel kind")),
                        ("offer_code", models.CharField(blank=True, default="", max_length=40, verbose_name="offer code")),
                        ("presentation_id", models.BigIntegerField(blank=True, null=True, verbose_name="presentation")),
                        ("context", models.JSONField(blank=True, default=dict, verbose_name="context")),
                        ("client", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="channels.apiclient", verbose_name="API client")),
                    ],
                    options={
                        "verbose_name": "digital event",
                        "verbose_name_plural": "digital events",
                        "indexes": [models.Index(condition=models.Q(("kind__in", ["click", "intent", "dismissal"])), fields=["customer_id", "-occurred_at"], name="event_interest_idx")],
                    },
                ),
            ],
        ),
        # The table itself, once the model is in the state (a RunPython reads it from there).
        migrations.RunPython(create_event_table, drop_event_table),
        migrations.RunPython(schedule, unschedule),
    ]
