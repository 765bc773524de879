"""Customer-need notes: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("channels", "0020_insights")]

    operations = []
