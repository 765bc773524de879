"""Placeholder: filled by the change that owns it (issue 17)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0018_ussd"),
    ]

    operations = []
