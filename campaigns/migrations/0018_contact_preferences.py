# Placeholder in the migration chain; filled in with its model change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0017_member_reason")]

    operations = []
