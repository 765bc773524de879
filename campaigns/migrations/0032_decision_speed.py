"""Decision speed: reserved."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0031_need_taxonomy")]

    operations = []
