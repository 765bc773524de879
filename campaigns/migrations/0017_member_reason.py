# Placeholder in the migration chain; filled in with its model change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0016_undone_outcomes")]

    operations = []
