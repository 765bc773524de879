"""The roadmap board: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0034_service_contacts")]

    operations = []
