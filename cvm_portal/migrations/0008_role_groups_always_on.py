"""CVM managers edit the eligibility rules of always-on campaigns."""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0007_role_groups_feedback"),
        ("campaigns", "0011_always_on_offers_and_holdings"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
