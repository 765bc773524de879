"""The digital-channel role for API clients.

(It once ran after DRF's authtoken app, whose plain-text tokens API keys replaced; that
app is gone, and so is the dependency.)
"""

from django.db import migrations


def sync(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0005_idempotency_records"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
