"""The customer-need taxonomy's first tags (campaigns/needs.py), in English and Polish. Going
back keeps them: notes and research items may already be tagged with them."""

from django.db import migrations

from campaigns.needs import ensure_needs


def seed(apps, _schema_editor):
    ensure_needs(apps.get_model("campaigns", "NeedTag"))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0030_learning_tuning")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
