"""Service contacts and the support-routing policy: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0033_channel_costs")]

    operations = []
