"""Revisions of approved campaigns and change history (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('campaigns', '0021_approvals')]

    operations = []
