"""Role permissions for governance, capacity and translations (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('cvm_portal', '0009_audit_trail_indexes'), ('channels', '0016_message_codes'), ('training', '0004_translations')]

    operations = []
