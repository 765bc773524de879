"""Call recordings and the research queue: which API clients may attach recordings (a
telephony system), and such a client needs no channel kinds of its own."""

from django.db import migrations, models

import campaigns.fields


class Migration(migrations.Migration):
    dependencies = [("channels", "0021_notes")]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="attaches_recordings",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Tick for the call centre's telephony system: it may attach call recordings "
                    "to outbound attempts and inbound contacts through the API."
                ),
                verbose_name="telephony system: may attach recordings",
            ),
        ),
        migrations.AlterField(
            model_name="apiclient",
            name="channel_kinds",
            field=campaigns.fields.ChannelKindsField(
                blank=True,
                default=list,
                help_text="The channel kinds this client may ask decisions for (digital kinds only).",
                verbose_name="channel kinds",
            ),
        ),
    ]
