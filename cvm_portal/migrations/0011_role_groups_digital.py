"""Role permissions for the digital channels' hand-overs, events and gateways (issue 17)."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0010_role_groups_governance"),
        ("training", "0005_digital_teams"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
