"""The channel registry (issue 19): channels become rows an administrator edits. The nine
channel kinds are seeded with their codes, names (English and Polish), whether an agent presents
the offer, the content formats and the consent the code gave them; the CHECK constraints that
pinned channel codes to the enumeration go, and the channel fields take their choices from the
registry (a callable: adding a channel needs no migration)."""

import campaigns.channel_registry
import campaigns.fields
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

# code, English name, Polish name, assisted, formats, consent: as campaigns.choices and
# channels.api.decisions had them.
NINE = [
    ("store", "Store", "Salon", True, [], "consent_marketing"),
    ("inbound_call", "Inbound call", "Połączenie przychodzące", True, [], "consent_marketing"),
    ("outbound_call", "Outbound call", "Połączenie wychodzące", True, [], "consent_calls"),
    ("field", "Field", "Sprzedaż terenowa", True, [], "consent_calls"),
    ("web", "Web", "Strona WWW", False, ["banner_title", "banner_alt"], "consent_digital"),
    (
        "app",
        "App",
        "Aplikacja",
        False,
        ["push_title", "push_body", "banner_title", "banner_alt"],
        "consent_app_push",
    ),
    ("chatbot", "Chatbot", "Chatbot", False, ["ussd", "banner_alt"], "consent_digital"),
    ("ussd", "USSD", "USSD", False, ["ussd", "sms"], "consent_sms"),
    ("ivr", "IVR", "IVR", False, ["ivr_prompt"], "consent_marketing"),
]


def seed(apps, _schema_editor):
    Channel = apps.get_model("campaigns", "Channel")
    for position, (code, name_en, name_pl, assisted, formats, consent) in enumerate(NINE):
        Channel.objects.update_or_create(
            code=code,
            defaults={
                "name": name_en,
                "name_en": name_en,
                "name_pl": name_pl,
                "assisted": assisted,
                "formats": formats,
                "consent": consent,
                "active": True,
                "position": position * 10,
            },
        )


def unseed(apps, _schema_editor):
    apps.get_model("campaigns", "Channel").objects.filter(code__in=[n[0] for n in NINE]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0035_roadmap'),
    ]

    operations = [
        migrations.CreateModel(
            name='Channel',
            fields=[
                ('code', models.CharField(help_text='Kept in every decision and result: it cannot be changed once the channel is saved.', max_length=20, primary_key=True, serialize=False, validators=[django.core.validators.RegexValidator('^[a-z][a-z0-9_]{1,19}$', 'Use 2–20 small letters, digits or “_”, starting with a letter (e.g. social_media).')], verbose_name='code')),
                ('name', models.CharField(max_length=60, verbose_name='name')),
                ('name_en', models.CharField(max_length=60, null=True, verbose_name='name')),
                ('name_pl', models.CharField(max_length=60, null=True, verbose_name='name')),
                ('assisted', models.BooleanField(default=False, help_text="An agent presents the offer (store, calls, field): offers need an agent script. Otherwise the channel shows the offer's texts in its formats.", verbose_name='assisted')),
                ('formats', campaigns.fields.FormatsField(blank=True, default=list, help_text='The offer texts this channel shows; each keeps its length limit.', verbose_name='content formats')),
                ('limits', models.JSONField(blank=True, default=dict, help_text='Optional: a shorter limit for a format in this channel, e.g. {"sms": 120}. A limit can only be tightened.', verbose_name='tighter limits')),
                ('consent', models.CharField(choices=[('consent_marketing', 'Offers during service contacts'), ('consent_calls', 'Marketing calls and visits'), ('consent_sms', 'SMS and USSD messages'), ('consent_app_push', 'App notifications'), ('consent_digital', 'Personalised web and chat offers')], help_text='The permission a customer must have given to get offers in this channel.', max_length=30, verbose_name='consent needed')),
                ('active', models.BooleanField(default=True, help_text='Only active channels get decisions and can be chosen for new campaigns; an inactive one stays in results and history.', verbose_name='active')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'channel',
                'verbose_name_plural': 'channels',
                'ordering': ['position', 'code'],
            },
        ),
        migrations.RunPython(seed, unseed),
        migrations.RemoveConstraint(
            model_name='customer',
            name='customer_preferred_channel_valid',
        ),
        migrations.RemoveConstraint(
            model_name='offercontent',
            name='offer_content_kind_valid',
        ),
        migrations.AlterField(
            model_name='campaigninquiry',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='preferred_channel',
            field=models.CharField(blank=True, choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='preferred channel'),
        ),
        migrations.AlterField(
            model_name='dailyexecution',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='dailyreason',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='degradeddecisions',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='firstcontact',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='historicaloffercontent',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='offercontent',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='response',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        migrations.AlterField(
            model_name='undoneoutcome',
            name='channel_kind',
            field=models.CharField(choices=campaigns.channel_registry.channel_choices, max_length=20, verbose_name='channel kind'),
        ),
        # The prices of the channel optimisation become the channel's (edited on its admin page).
        migrations.AlterModelOptions(
            name='channelcost',
            options={'ordering': ['channel_kind_id', '-effective_from'], 'verbose_name': 'channel cost', 'verbose_name_plural': 'channel costs'},
        ),
        migrations.AlterField(
            model_name='channelcost',
            name='channel_kind',
            field=models.ForeignKey(db_column='channel_kind', on_delete=django.db.models.deletion.PROTECT, related_name='costs', to='campaigns.channel', verbose_name='channel'),
        ),
    ]
