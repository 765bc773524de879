"""The decline reasons agents choose from, with how long each keeps the offer away."""

from django.db import migrations

from campaigns.defaults import DECLINE_REASONS, ensure_decline_reasons


def seed(apps, schema_editor):
    ensure_decline_reasons(apps.get_model("campaigns", "DeclineReason"))


def unseed(apps, schema_editor):
    apps.get_model("campaigns", "DeclineReason").objects.filter(code__in=[r[0] for r in DECLINE_REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_decisions_and_responses")]

    operations = [migrations.RunPython(seed, unseed)]
