"""The customer-need taxonomy's first tags."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0030_learning_tuning")]

    operations = []
