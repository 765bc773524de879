"""CVM managers edit bonus plans and cancellations, read statements, switch leaderboards off."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_bonus_plans"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
