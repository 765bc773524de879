"""Schedule the weekly sales digest: drafted Monday 06:00 for last week, and the drafts nobody
published sent out when their review time is over (checked hourly). Editable in the admin →
Periodic tasks."""

from django.db import migrations

# (name, task, minute, hour, day of week)
TASKS = [
    ("Draft last week's sales digest", "training.build_weekly_digest", "0", "6", "1"),
    ("Send out sales digests nobody published", "training.publish_due_digests", "5", "*", "*"),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day_of_week in TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/Warsaw",
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_weekly_digest"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
