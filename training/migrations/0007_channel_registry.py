"""The channel registry: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0006_digest_needs")]

    operations = []
