"""CVM managers set each campaign's outbound rules and site shares, and read call lists."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0002_outbound_call_lists"),
        ("cvm_portal", "0007_role_groups_feedback"),
        ("campaigns", "0010_campaign_training_required"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
