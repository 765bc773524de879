"""Schedule the daily call lists after the nightly loads (editable in the admin → Periodic tasks)."""

from django.db import migrations

NAME = "Build today's outbound call lists"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Warsaw"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "channels.build_call_lists", "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0003_role_groups_outbound"),
        ("campaigns", "0005_schedule_nightly_loads"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
