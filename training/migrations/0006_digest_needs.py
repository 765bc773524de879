"""The digest's customer-needs section: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0005_digital_teams")]

    operations = []
