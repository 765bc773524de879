"""CVM managers read and answer agents' feedback on offers."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0006_role_groups_api"),
        ("campaigns", "0008_offer_feedback"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
