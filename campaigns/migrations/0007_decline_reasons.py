"""The decline reasons agents choose from, with how long each keeps the offer away."""

from django.db import migrations

REASONS = [
    ("price", "Too expensive", 30),
    ("not_interested", "Not interested", 60),
    ("bad_timing", "Not now — ask again later", 14),
    ("already_has_it", "Already has it", None),  # never again
    ("other", "Other", 30),
]


def seed(apps, schema_editor):
    DeclineReason = apps.get_model("campaigns", "DeclineReason")
    for position, (code, label, days) in enumerate(REASONS):
        DeclineReason.objects.get_or_create(
            code=code, defaults={"label": label, "suppression_days": days, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("campaigns", "DeclineReason").objects.filter(code__in=[r[0] for r in REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_decisions_and_responses")]

    operations = [migrations.RunPython(seed, unseed)]
