"""Call recordings and the research queue: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("channels", "0021_notes")]

    operations = []
