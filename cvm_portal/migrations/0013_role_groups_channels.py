"""Role permissions for channel optimisation (issue 19): the channel registry and costs,
service contacts, the support-routing policy, the roadmap board."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0012_role_groups_insights"),
        ("campaigns", "0036_channel_registry"),
        ("channels", "0023_channel_registry"),
        ("training", "0007_channel_registry"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
