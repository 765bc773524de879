"""Capacity plans and campaign forecasts (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('channels', '0014_lead_one_per_agent'), ('campaigns', '0023_kill_switch_flood')]

    operations = []
