"""Placeholder: filled by the change that owns it (issue 17)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0016_message_codes"),
        ("campaigns", "0028_decision_context"),
    ]

    operations = []
