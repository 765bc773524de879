"""The channel registry: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0035_roadmap")]

    operations = []
