"""Guide titles in Polish and English: a column per language (django-modeltranslation,
training/translation.py); the titles written so far are English and are copied into ``_en``."""

from django.db import migrations, models
from django.db.models import F


def copy_into_english(apps, _schema_editor):
    for model_name in ("guide", "guideversion"):
        apps.get_model("training", model_name).objects.filter(title_en__isnull=True).update(
            title_en=F("title")
        )


class Migration(migrations.Migration):
    dependencies = [("training", "0003_schedule_weekly_digest"), ("campaigns", "0025_translations")]

    operations = [
        migrations.AddField(
            model_name="guide",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="guide",
            name="title_pl",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="guideversion",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="guideversion",
            name="title_pl",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
    ]
