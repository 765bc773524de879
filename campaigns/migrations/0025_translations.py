"""Texts CVM writes kept in Polish and English: a column per language (django-modeltranslation,
campaigns/translation.py) for offer titles and benefits, the channel texts of offers, decline
reason labels, and the same in the change history.

The texts written so far are English: they are copied into the ``_en`` columns. The seeded
decline reasons get their Polish labels (campaigns/defaults.py) unless someone wrote one.
"""

from django.db import migrations, models
from django.db.models import F, Q

import campaigns.formats
import campaigns.textrules
from campaigns.defaults import DECLINE_REASONS

# Written out, not imported from campaigns/translation.py: a migration keeps what it did.
CONTENT = (
    "agent_script",
    "short_text",
    "banner_title",
    "sms_text",
    "push_title",
    "push_body",
    "banner_alt",
    "ivr_prompt",
)
TRANSLATED = {
    "offer": ("title", "benefit"),
    "historicaloffer": ("title", "benefit"),
    "offercontent": CONTENT,
    "historicaloffercontent": CONTENT,
    "declinereason": ("label",),
}


def copy_into_english(apps, _schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("campaigns", model_name)
        for name in fields:
            model.objects.filter(**{f"{name}_en__isnull": True}).update(**{f"{name}_en": F(name)})
    reasons = apps.get_model("campaigns", "DeclineReason")
    for code, _label, label_pl, _days in DECLINE_REASONS:
        reasons.objects.filter(Q(label_pl__isnull=True) | Q(label_pl=""), code=code).update(
            label_pl=label_pl
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0024_channel_content")]

    operations = [
        migrations.AddField(
            model_name="declinereason",
            name="label_en",
            field=models.CharField(max_length=100, null=True, verbose_name="label"),
        ),
        migrations.AddField(
            model_name="declinereason",
            name="label_pl",
            field=models.CharField(max_length=100, null=True, verbose_name="label"),
        ),
        migrations.AddField(
            model_name="historicaloffer",
            name="benefit_en",
            field=models.CharField(
                help_text="What the customer gets, in one sentence.",
                max_length=300,
                null=True,
                verbose_name="benefit",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffer",
            name="benefit_pl",
            field=models.CharField(
                help_text="What the customer gets, in one sentence.",
                max_length=300,
                null=True,
                verbose_name="benefit",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffer",
            name="title_en",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="historicaloffer",
            name="title_pl",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="agent_script_en",
            field=models.TextField(
                blank=True,
                help_text="What an agent says. Keep it short: it is read during a live contact.",
                null=True,
                verbose_name="agent script",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="agent_script_pl",
            field=models.TextField(
                blank=True,
                help_text="What an agent says. Keep it short: it is read during a live contact.",
                null=True,
                verbose_name="agent script",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_alt_en",
            field=models.TextField(
                blank=True,
                help_text="What the image shows, for screen readers (at most 150 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("banner_alt")],
                verbose_name="banner image description",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_alt_pl",
            field=models.TextField(
                blank=True,
                help_text="What the image shows, for screen readers (at most 150 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("banner_alt")],
                verbose_name="banner image description",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_title_en",
            field=models.CharField(
                blank=True,
                help_text="For web and app banners.",
                max_length=60,
                null=True,
                verbose_name="banner title",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_title_pl",
            field=models.CharField(
                blank=True,
                help_text="For web and app banners.",
                max_length=60,
                null=True,
                verbose_name="banner title",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="ivr_prompt_en",
            field=models.TextField(
                blank=True,
                help_text="What the voice menu says, as plain text (at most 400 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("ivr_prompt")],
                verbose_name="IVR prompt",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="ivr_prompt_pl",
            field=models.TextField(
                blank=True,
                help_text="What the voice menu says, as plain text (at most 400 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("ivr_prompt")],
                verbose_name="IVR prompt",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="push_body_en",
            field=models.TextField(
                blank=True,
                help_text="At most 150 characters.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_body")],
                verbose_name="app push text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="push_body_pl",
            field=models.TextField(
                blank=True,
                help_text="At most 150 characters.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_body")],
                verbose_name="app push text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="push_title_en",
            field=models.TextField(
                blank=True,
                help_text="At most 50 characters: phones cut longer titles.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_title")],
                verbose_name="app push title",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="push_title_pl",
            field=models.TextField(
                blank=True,
                help_text="At most 50 characters: phones cut longer titles.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_title")],
                verbose_name="app push title",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="short_text_en",
            field=models.CharField(
                blank=True,
                help_text="For USSD/SMS: 182 GSM characters, or 80 if it has any other character.",
                max_length=182,
                null=True,
                validators=[campaigns.textrules.validate_short_text],
                verbose_name="short text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="short_text_pl",
            field=models.CharField(
                blank=True,
                help_text="For USSD/SMS: 182 GSM characters, or 80 if it has any other character.",
                max_length=182,
                null=True,
                validators=[campaigns.textrules.validate_short_text],
                verbose_name="short text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="sms_text_en",
            field=models.TextField(
                blank=True,
                help_text="One SMS: 160 GSM characters, or 70 if it has any other character.",
                null=True,
                validators=[campaigns.formats.FormatLimit("sms")],
                verbose_name="SMS text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="sms_text_pl",
            field=models.TextField(
                blank=True,
                help_text="One SMS: 160 GSM characters, or 70 if it has any other character.",
                null=True,
                validators=[campaigns.formats.FormatLimit("sms")],
                verbose_name="SMS text",
            ),
        ),
        migrations.AddField(
            model_name="offer",
            name="benefit_en",
            field=models.CharField(
                help_text="What the customer gets, in one sentence.",
                max_length=300,
                null=True,
                verbose_name="benefit",
            ),
        ),
        migrations.AddField(
            model_name="offer",
            name="benefit_pl",
            field=models.CharField(
                help_text="What the customer gets, in one sentence.",
                max_length=300,
                null=True,
                verbose_name="benefit",
            ),
        ),
        migrations.AddField(
            model_name="offer",
            name="title_en",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="offer",
            name="title_pl",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="agent_script_en",
            field=models.TextField(
                blank=True,
                help_text="What an agent says. Keep it short: it is read during a live contact.",
                null=True,
                verbose_name="agent script",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="agent_script_pl",
            field=models.TextField(
                blank=True,
                help_text="What an agent says. Keep it short: it is read during a live contact.",
                null=True,
                verbose_name="agent script",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_alt_en",
            field=models.TextField(
                blank=True,
                help_text="What the image shows, for screen readers (at most 150 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("banner_alt")],
                verbose_name="banner image description",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_alt_pl",
            field=models.TextField(
                blank=True,
                help_text="What the image shows, for screen readers (at most 150 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("banner_alt")],
                verbose_name="banner image description",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_title_en",
            field=models.CharField(
                blank=True,
                help_text="For web and app banners.",
                max_length=60,
                null=True,
                verbose_name="banner title",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_title_pl",
            field=models.CharField(
                blank=True,
                help_text="For web and app banners.",
                max_length=60,
                null=True,
                verbose_name="banner title",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="ivr_prompt_en",
            field=models.TextField(
                blank=True,
                help_text="What the voice menu says, as plain text (at most 400 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("ivr_prompt")],
                verbose_name="IVR prompt",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="ivr_prompt_pl",
            field=models.TextField(
                blank=True,
                help_text="What the voice menu says, as plain text (at most 400 characters).",
                null=True,
                validators=[campaigns.formats.FormatLimit("ivr_prompt")],
                verbose_name="IVR prompt",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="push_body_en",
            field=models.TextField(
                blank=True,
                help_text="At most 150 characters.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_body")],
                verbose_name="app push text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="push_body_pl",
            field=models.TextField(
                blank=True,
                help_text="At most 150 characters.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_body")],
                verbose_name="app push text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="push_title_en",
            field=models.TextField(
                blank=True,
                help_text="At most 50 characters: phones cut longer titles.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_title")],
                verbose_name="app push title",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="push_title_pl",
            field=models.TextField(
                blank=True,
                help_text="At most 50 characters: phones cut longer titles.",
                null=True,
                validators=[campaigns.formats.FormatLimit("push_title")],
                verbose_name="app push title",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="short_text_en",
            field=models.CharField(
                blank=True,
                help_text="For USSD/SMS: 182 GSM characters, or 80 if it has any other character.",
                max_length=182,
                null=True,
                validators=[campaigns.textrules.validate_short_text],
                verbose_name="short text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="short_text_pl",
            field=models.CharField(
                blank=True,
                help_text="For USSD/SMS: 182 GSM characters, or 80 if it has any other character.",
                max_length=182,
                null=True,
                validators=[campaigns.textrules.validate_short_text],
                verbose_name="short text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="sms_text_en",
            field=models.TextField(
                blank=True,
                help_text="One SMS: 160 GSM characters, or 70 if it has any other character.",
                null=True,
                validators=[campaigns.formats.FormatLimit("sms")],
                verbose_name="SMS text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="sms_text_pl",
            field=models.TextField(
                blank=True,
                help_text="One SMS: 160 GSM characters, or 70 if it has any other character.",
                null=True,
                validators=[campaigns.formats.FormatLimit("sms")],
                verbose_name="SMS text",
            ),
        ),
        migrations.RunPython(copy_into_english, migrations.RunPython.noop),
    ]
