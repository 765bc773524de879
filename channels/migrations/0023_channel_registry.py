"""The channel registry: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("channels", "0022_recordings")]

    operations = []
