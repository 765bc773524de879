"""Kill switch (stops of campaigns, offers, products), campaign inquiries and flood alerts;
the flood check scheduled every five minutes (editable in the admin → Periodic tasks)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TASK = ("Check for flood alerts (contacts about a campaign above forecast)", "campaigns.check_floods")


def schedule(apps, _schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Warsaw"
    )
    PeriodicTask.objects.get_or_create(name=TASK[0], defaults={"task": TASK[1], "crontab": crontab, "enabled": True})


def unschedule(apps, _schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0022_revisions_history"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CampaignInquiry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('site_id', models.BigIntegerField(blank=True, null=True, verbose_name='site')),
                ('channel_kind', models.CharField(choices=[('store', 'Store'), ('inbound_call', 'Inbound call'), ('outbound_call', 'Outbound call'), ('field', 'Field'), ('web', 'Web'), ('app', 'App'), ('chatbot', 'Chatbot'), ('ussd', 'USSD'), ('ivr', 'IVR')], max_length=20, verbose_name='channel kind')),
                ('key', models.CharField(max_length=32, verbose_name='request key')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('agent', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inquiries', to='campaigns.campaign', verbose_name='campaign')),
                ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='campaigns.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'campaign inquiry',
                'verbose_name_plural': 'campaign inquiries',
                'ordering': ['-at'],
                'indexes': [models.Index(fields=['campaign', 'at'], name='campaign_inquiry_hour_idx')],
                'constraints': [models.UniqueConstraint(fields=('agent', 'key'), name='campaign_inquiry_once')],
            },
        ),
        migrations.CreateModel(
            name='CampaignStop',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('campaign', 'Campaign'), ('offer', 'Every campaign of an offer'), ('product', 'Every campaign of a product')], max_length=10, verbose_name='stopped')),
                ('reason', models.TextField(max_length=500, verbose_name='reason')),
                ('stopped_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='stopped at')),
                ('withdrawn_leads', models.PositiveIntegerField(default=0, verbose_name='call-list leads withdrawn')),
                ('resumed_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='resumed at')),
                ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign', verbose_name='campaign named')),
                ('campaigns', models.ManyToManyField(blank=True, related_name='stops', to='campaigns.campaign', verbose_name='campaigns paused')),
                ('offer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.offer', verbose_name='offer named')),
                ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.product', verbose_name='product named')),
                ('resumed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='resumed by')),
                ('stopped_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='stopped by')),
            ],
            options={
                'verbose_name': 'kill-switch stop',
                'verbose_name_plural': 'kill-switch stops',
                'ordering': ['-stopped_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('scope__in', ['campaign', 'offer', 'product'])), name='campaign_stop_scope_valid'), models.CheckConstraint(condition=models.Q(models.Q(('campaign__isnull', False), ('scope', 'campaign')), models.Q(('offer__isnull', False), ('scope', 'offer')), models.Q(('product__isnull', False), ('scope', 'product')), _connector='OR'), name='campaign_stop_names_its_target')],
            },
        ),
        migrations.CreateModel(
            name='FloodAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField(help_text='The clock hour the alert was raised in.', verbose_name='hour')),
                ('count', models.PositiveIntegerField(verbose_name='contacts in the last hour')),
                ('expected', models.FloatField(verbose_name='expected at most')),
                ('basis', models.CharField(choices=[('forecast', "the campaign's forecast"), ('baseline', 'its usual level (baseline × multiplier)')], max_length=10, verbose_name='compared with')),
                ('raised_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='raised at')),
                ('emailed_to', models.PositiveSmallIntegerField(default=0, verbose_name='managers e-mailed')),
                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flood_alerts', to='campaigns.campaign', verbose_name='campaign')),
            ],
            options={
                'verbose_name': 'flood alert',
                'verbose_name_plural': 'flood alerts',
                'ordering': ['-raised_at'],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'hour'), name='flood_alert_once_an_hour'), models.CheckConstraint(condition=models.Q(('basis__in', ['forecast', 'baseline'])), name='flood_alert_basis_valid')],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
