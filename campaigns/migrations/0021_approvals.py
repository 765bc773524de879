"""Four-eyes approvals and pre-live checks (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('campaigns', '0020_execution_rollups')]

    operations = []
