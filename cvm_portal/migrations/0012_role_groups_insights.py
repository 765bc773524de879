"""Role permissions for learning and insights (issue 18): need taxonomy, notes, recordings,
the research queue, the learned propensities."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0011_role_groups_digital"),
        ("campaigns", "0032_decision_speed"),
        ("channels", "0022_recordings"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
