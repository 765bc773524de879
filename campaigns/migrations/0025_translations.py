"""Texts CVM writes kept in Polish and English (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0024_channel_content")]

    operations = []
