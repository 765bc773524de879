"""Learning: reserved for the self-learning propensity's own changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0029_learning_and_needs")]

    operations = []
