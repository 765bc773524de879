"""Kill switch, campaign inquiries and flood alerts, channel content fields (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('campaigns', '0022_revisions_history')]

    operations = []
