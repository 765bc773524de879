"""Role permissions for campaign governance, capacity plans, flood alerts and translated texts."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0009_audit_trail_indexes"),
        ("channels", "0016_message_codes"),
        ("training", "0004_translations"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
