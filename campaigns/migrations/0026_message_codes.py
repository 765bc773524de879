"""Load runs store their reason as a code with parameters (campaigns/loads/messages.py), worded
in the reader's language when shown, instead of an English sentence written by the worker.

Runs stored before keep their text under the ``legacy`` code, shown as it was written.
"""

from django.db import migrations, models


def keep_old_text(apps, _schema_editor):
    LoadRun = apps.get_model("campaigns", "LoadRun")
    for run in LoadRun.objects.exclude(error="").only("pk", "error").iterator():
        LoadRun.objects.filter(pk=run.pk).update(
            error_code="legacy", error_params={"text": run.error}
        )


def back_to_text(apps, _schema_editor):
    LoadRun = apps.get_model("campaigns", "LoadRun")
    for run in LoadRun.objects.exclude(error_code="").iterator():
        text = run.error_params.get("text", "") if run.error_code == "legacy" else run.error_code
        LoadRun.objects.filter(pk=run.pk).update(error=text)


class Migration(migrations.Migration):
    dependencies = [('campaigns', '0025_translations')]

    operations = [
        migrations.AddField(
            model_name='loadrun',
            name='error_code',
            field=models.CharField(blank=True, max_length=60, verbose_name='reason code'),
        ),
        migrations.AddField(
            model_name='loadrun',
            name='error_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='reason parameters'),
        ),
        migrations.RunPython(keep_old_text, back_to_text, elidable=True),
        migrations.RemoveField(
            model_name='loadrun',
            name='error',
        ),
    ]
