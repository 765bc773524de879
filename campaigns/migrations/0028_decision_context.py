"""Placeholder: filled by the change that owns it (issue 17)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0027_fast_decisions"),
    ]

    operations = []
