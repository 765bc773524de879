"""Messages written by background jobs stored as codes with parameters (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('campaigns', '0025_translations')]

    operations = []
