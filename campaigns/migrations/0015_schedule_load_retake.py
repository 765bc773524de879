"""Every minute, retake load runs whose worker died or whose task never reached the queue
(editable in the admin → Periodic tasks)."""

from django.db import migrations

NAME = "Retake stranded loads"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "campaigns.retake_stranded_loads",
            "interval": every_minute,
            "enabled": True,
            # Not run within the minute (no worker): dropped, the next one comes.
            "expire_seconds": 50,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0014_load_run_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
