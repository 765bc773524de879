"""Learning: the refresh of the learned propensities, scheduled — incremental every ten
minutes, full every night (editable in the admin → Periodic tasks)."""

import json

from django.db import migrations

# (name, crontab minute, crontab hour, task keyword arguments)
SCHEDULES = [
    ("Learn propensities from new outcomes", "*/10", "*", {"full": False}),
    ("Relearn all propensities (nightly)", "40", "2", {"full": True}),
]


def schedule(apps, _schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, minute, hour, kwargs in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/Warsaw",
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": "campaigns.refresh_propensities",
                "crontab": crontab,
                "kwargs": json.dumps(kwargs),
                "enabled": True,
            },
        )


def unschedule(apps, _schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_rest in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0029_learning_and_needs")]

    operations = [migrations.RunPython(schedule, unschedule)]
