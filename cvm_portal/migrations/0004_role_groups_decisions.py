"""CVM managers tune the contact policy and decline reasons, and read outcomes."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0003_role_groups_loads"),
        ("campaigns", "0007_decline_reasons"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
