"""Schedule the nightly inbox scan and version pruning (editable in the admin → Periodic tasks)."""

from django.db import migrations

TASKS = [
    ("Load the warehouse files in the inbox", "campaigns.load_inbox", "0", "2"),
    ("Prune replaced target-group versions", "campaigns.prune_target_group_versions", "30", "5"),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Warsaw"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_partition_members_on_postgresql"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
