"""Guide titles in Polish and English (placeholder)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('training', '0003_schedule_weekly_digest'), ('campaigns', '0025_translations')]

    operations = []
