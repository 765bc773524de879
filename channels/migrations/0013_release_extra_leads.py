"""Before one lead per agent becomes a rule of the database (0014): an agent who holds more
than one lead today — what two presses of "next customer" at once could leave behind — keeps
the one handed out first; the others go back to their lists, waiting, as a retry would put
them. Their attempts stay recorded. Going back changes nothing."""

from django.db import migrations


def release_extra_leads(apps, schema_editor):
    Lead = apps.get_model("channels", "Lead")
    held = Lead.objects.filter(state="assigned").order_by("assigned_to_id", "assigned_at", "id")
    kept: set[int] = set()
    extra: list[int] = []
    for lead_id, agent_id in held.values_list("id", "assigned_to_id"):
        if agent_id in kept:
            extra.append(lead_id)
        else:
            kept.add(agent_id)
    for start in range(0, len(extra), 1000):
        Lead.objects.filter(pk__in=extra[start : start + 1000]).update(
            state="waiting", assigned_to=None, assigned_at=None
        )


class Migration(migrations.Migration):
    dependencies = [("channels", "0012_drop_plain_text_tokens")]

    operations = [migrations.RunPython(release_extra_leads, migrations.RunPython.noop)]
