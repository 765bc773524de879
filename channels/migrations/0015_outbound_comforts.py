# Placeholder in the migration chain; filled in with its model change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("channels", "0014_lead_one_per_agent")]

    operations = []
