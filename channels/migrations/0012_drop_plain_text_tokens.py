"""Drop the table of DRF's authtoken app, if an earlier install left it: it holds API tokens in
plain text, and nothing reads it since API keys (0011) replaced them. Irreversible on purpose:
going back does not bring plain-text tokens back."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("channels", "0011_api_clients")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
