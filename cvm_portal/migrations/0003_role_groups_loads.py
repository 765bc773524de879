"""CVM managers see target groups, their versions and loads, and change reject thresholds."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0002_role_groups"),
        ("campaigns", "0005_schedule_nightly_loads"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
