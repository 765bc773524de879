"""Offer content for every format: SMS, app push title and text, a banner image with its alt
text and link, the IVR prompt; on the offer content and on its history (django-simple-history,
migration 0022), where the image is its stored name as text, as simple-history keeps it."""

import django.core.validators
from django.db import migrations, models

import campaigns.banners
import campaigns.formats

HTTPS_ONLY = django.core.validators.URLValidator(
    code="https_only",
    message="Use an https:// address: the app opens no other links.",
    schemes=["https"],
)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0023_kill_switch_flood"), ("channels", "0015_capacity")]

    operations = [
        migrations.AddField(
            model_name="offercontent",
            name="sms_text",
            field=models.TextField(
                blank=True,
                help_text="One SMS: 160 GSM characters, or 70 if it has any other character.",
                validators=[campaigns.formats.FormatLimit("sms")],
                verbose_name="SMS text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="push_title",
            field=models.TextField(
                blank=True,
                help_text="At most 50 characters: phones cut longer titles.",
                validators=[campaigns.formats.FormatLimit("push_title")],
                verbose_name="app push title",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="push_body",
            field=models.TextField(
                blank=True,
                help_text="At most 150 characters.",
                validators=[campaigns.formats.FormatLimit("push_body")],
                verbose_name="app push text",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_alt",
            field=models.TextField(
                blank=True,
                help_text="What the image shows, for screen readers (at most 150 characters).",
                validators=[campaigns.formats.FormatLimit("banner_alt")],
                verbose_name="banner image description",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="ivr_prompt",
            field=models.TextField(
                blank=True,
                help_text="What the voice menu says, as plain text (at most 400 characters).",
                validators=[campaigns.formats.FormatLimit("ivr_prompt")],
                verbose_name="IVR prompt",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_image",
            field=models.FileField(
                blank=True,
                help_text="PNG, JPEG or WebP, at most 500 KB.",
                upload_to=campaigns.banners.banner_upload_to,
                validators=[campaigns.banners.validate_banner_image],
                verbose_name="banner image",
            ),
        ),
        migrations.AddField(
            model_name="offercontent",
            name="banner_link",
            field=models.URLField(
                blank=True,
                help_text="Where a tap on the banner leads (https only).",
                max_length=500,
                validators=[HTTPS_ONLY],
                verbose_name="banner link",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="sms_text",
            field=models.TextField(
                blank=True,
                help_text="One SMS: 160 GSM characters, or 70 if it has any other character.",
                validators=[campaigns.formats.FormatLimit("sms")],
                verbose_name="SMS text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="push_title",
            field=models.TextField(
                blank=True,
                help_text="At most 50 characters: phones cut longer titles.",
                validators=[campaigns.formats.FormatLimit("push_title")],
                verbose_name="app push title",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="push_body",
            field=models.TextField(
                blank=True,
                help_text="At most 150 characters.",
                validators=[campaigns.formats.FormatLimit("push_body")],
                verbose_name="app push text",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_alt",
            field=models.TextField(
                blank=True,
                help_text="What the image shows, for screen readers (at most 150 characters).",
                validators=[campaigns.formats.FormatLimit("banner_alt")],
                verbose_name="banner image description",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="ivr_prompt",
            field=models.TextField(
                blank=True,
                help_text="What the voice menu says, as plain text (at most 400 characters).",
                validators=[campaigns.formats.FormatLimit("ivr_prompt")],
                verbose_name="IVR prompt",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_image",
            field=models.TextField(
                blank=True,
                help_text="PNG, JPEG or WebP, at most 500 KB.",
                max_length=100,
                validators=[campaigns.banners.validate_banner_image],
                verbose_name="banner image",
            ),
        ),
        migrations.AddField(
            model_name="historicaloffercontent",
            name="banner_link",
            field=models.URLField(
                blank=True,
                help_text="Where a tap on the banner leads (https only).",
                max_length=500,
                validators=[HTTPS_ONLY],
                verbose_name="banner link",
            ),
        ),
    ]
