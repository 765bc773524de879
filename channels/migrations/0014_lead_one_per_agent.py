"""One agent, one lead: a partial unique index on the agent of every assigned lead. The claim
of "next customer" already refuses a second lead; the index makes two claims racing past
that check (a double click) fail, and the second press gets the lead the first took."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("channels", "0013_release_extra_leads")]

    operations = [
        migrations.AddConstraint(
            model_name="lead",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "assigned")),
                fields=("assigned_to",),
                name="lead_one_per_agent",
            ),
        ),
    ]
