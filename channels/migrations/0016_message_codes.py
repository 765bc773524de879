"""Bonus statement lines stored as codes with parameters (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('channels', '0015_capacity'), ('campaigns', '0026_message_codes')]

    operations = []
