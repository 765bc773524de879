"""Placeholder: filled by the change that owns it (issue 17)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_translations"),
        ("channels", "0019_handover"),
    ]

    operations = []
