"""Bonus statement lines store what they say as a code with parameters
(channels/bonus/messages.py), worded in the reader's language when shown, instead of an
English sentence written by the statement task.

Lines stored before keep their text under the ``legacy`` code, shown as it was written.
"""

from django.db import migrations, models


def keep_old_text(apps, _schema_editor):
    BonusLine = apps.get_model("channels", "BonusLine")
    for line in BonusLine.objects.only("pk", "description").iterator():
        BonusLine.objects.filter(pk=line.pk).update(description_params={"text": line.description})


def back_to_text(apps, _schema_editor):
    BonusLine = apps.get_model("channels", "BonusLine")
    for line in BonusLine.objects.iterator():
        text = line.description_params.get("text") or line.description_code
        BonusLine.objects.filter(pk=line.pk).update(description=text[:300])


class Migration(migrations.Migration):
    dependencies = [('channels', '0015_capacity'), ('campaigns', '0026_message_codes')]

    operations = [
        migrations.AddField(
            model_name='bonusline',
            name='description_code',
            field=models.CharField(default='legacy', max_length=40, verbose_name='description code'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='bonusline',
            name='description_params',
            field=models.JSONField(blank=True, default=dict, verbose_name='description parameters'),
        ),
        migrations.RunPython(keep_old_text, back_to_text, elidable=True),
        migrations.AlterField(
            model_name='bonusline',
            name='description',
            field=models.CharField(blank=True, default='', max_length=300, verbose_name='description'),
        ),
        migrations.RemoveField(
            model_name='bonusline',
            name='description',
        ),
    ]
