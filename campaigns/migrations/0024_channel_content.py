"""Offer content for every format: SMS, app push, banner image, IVR prompt (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0023_kill_switch_flood"), ("channels", "0015_capacity")]

    operations = []
