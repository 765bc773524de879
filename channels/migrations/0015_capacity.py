"""Capacity plans per site and channel kind (targets, handle times, rosters), digital channel
capacities, and campaign forecasts (issue 16, item 6)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [('channels', '0014_lead_one_per_agent'), ('campaigns', '0023_kill_switch_flood')]

    operations = [
        migrations.CreateModel(
            name='CapacityPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel_kind', models.CharField(choices=[('store', 'Store'), ('inbound_call', 'Inbound call'), ('outbound_call', 'Outbound call'), ('field', 'Field')], max_length=20, verbose_name='channel kind')),
                ('service_level_pct', models.PositiveSmallIntegerField(default=80, help_text='Share of customers answered within the seconds below, e.g. 80.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='service level (%)')),
                ('service_level_seconds', models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3600)], verbose_name='answered within (seconds)')),
                ('occupancy_target_pct', models.PositiveSmallIntegerField(default=80, help_text="Outbound and field: the share of an agent's hour spent on contacts that the plan counts on (the rest is wrap-up, breaks, coaching).", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='occupancy target (%)')),
                ('max_occupancy_pct', models.PositiveSmallIntegerField(default=90, help_text='Stores and inbound: never plan agents busier than this, whatever the queue.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='maximum occupancy (%)')),
                ('baseline_contacts_per_day', models.PositiveIntegerField(default=0, help_text='Contacts the site handles on a day without any campaign.', verbose_name='usual contacts per day')),
                ('unanswered_per_conversation', models.DecimalField(decimal_places=2, default=1, help_text='Outbound and field: measured from call attempts when there are enough.', max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(50)], verbose_name='unanswered attempts per conversation')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='capacity_plans', to='channels.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'capacity plan',
                'verbose_name_plural': 'capacity plans',
                'ordering': ['site__name', 'channel_kind'],
            },
        ),
        migrations.CreateModel(
            name='DigitalCapacity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel_kind', models.CharField(choices=[('web', 'Web'), ('app', 'App'), ('chatbot', 'Chatbot'), ('ussd', 'USSD'), ('ivr', 'IVR')], max_length=20, unique=True, verbose_name='channel kind')),
                ('requests_per_second', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='capacity (requests per second)')),
                ('baseline_peak_rps', models.PositiveIntegerField(default=0, help_text='The busiest second of a day without any campaign.', verbose_name='usual peak (requests per second)')),
            ],
            options={
                'verbose_name': 'digital channel capacity',
                'verbose_name_plural': 'digital channel capacities',
                'ordering': ['channel_kind'],
                'constraints': [models.CheckConstraint(condition=models.Q(('channel_kind__in', ['web', 'app', 'chatbot', 'ussd', 'ivr'])), name='digital_capacity_kind_digital')],
            },
        ),
        migrations.CreateModel(
            name='HandleTime',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contact_type', models.CharField(choices=[('service', 'Usual contact (no campaign)'), ('conversation', 'Offer conversation'), ('unanswered', 'Unanswered call attempt')], max_length=20, verbose_name='contact type')),
                ('seconds', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(7200)], verbose_name='average handle time (s)')),
                ('source', models.CharField(choices=[('measured', 'Measured from call attempts'), ('configured', 'Configured')], default='configured', max_length=12, verbose_name='source')),
                ('sample_size', models.PositiveIntegerField(default=0, verbose_name='contacts measured')),
                ('measured_at', models.DateTimeField(blank=True, null=True, verbose_name='measured')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='handle_times', to='channels.capacityplan', verbose_name='capacity plan')),
            ],
            options={
                'verbose_name': 'handle time',
                'verbose_name_plural': 'handle times',
                'ordering': ['plan', 'contact_type'],
            },
        ),
        migrations.CreateModel(
            name='RosterEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(blank=True, choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], null=True, verbose_name='weekday')),
                ('day', models.DateField(blank=True, help_text='Set for a one-day override instead.', null=True, verbose_name='date')),
                ('hour_band', models.PositiveSmallIntegerField(choices=[(8, '08–11'), (11, '11–14'), (14, '14–17'), (17, '17–20')], verbose_name='hour band')),
                ('agents', models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(5000)], verbose_name='agents')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roster', to='channels.capacityplan', verbose_name='plan')),
            ],
            options={
                'verbose_name': 'roster entry',
                'verbose_name_plural': 'roster',
                'ordering': ['plan', 'day', 'weekday', 'hour_band'],
            },
        ),
        migrations.CreateModel(
            name='CampaignForecast',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel_kind', models.CharField(choices=[('store', 'Store'), ('inbound_call', 'Inbound call'), ('outbound_call', 'Outbound call'), ('field', 'Field'), ('web', 'Web'), ('app', 'App'), ('chatbot', 'Chatbot'), ('ussd', 'USSD'), ('ivr', 'IVR')], max_length=20, verbose_name='channel kind')),
                ('contact_rate_pct', models.DecimalField(decimal_places=2, help_text='Contacts in this channel kind over the whole period per 100 target-group members (responses, calls, visits or decision requests).', max_digits=6, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(1000)], verbose_name='contacts per 100 members')),
                ('contacts_per_day', models.PositiveIntegerField(blank=True, help_text='Leave empty to derive it from the audience, the period and the rate.', null=True, verbose_name='contacts per day')),
                ('source', models.CharField(choices=[('past', "Past campaigns' results"), ('default', 'Portal default (no past results)'), ('edited', 'Set by a CVM manager')], default='edited', max_length=10, verbose_name='source')),
                ('basis', models.CharField(blank=True, help_text='Which past campaigns the rate comes from.', max_length=200, verbose_name='based on')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign', verbose_name='campaign')),
            ],
            options={
                'verbose_name': 'campaign forecast',
                'verbose_name_plural': 'campaign forecasts',
                'ordering': ['campaign', 'channel_kind'],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'channel_kind'), name='campaign_forecast_once'), models.CheckConstraint(condition=models.Q(('channel_kind__in', ['store', 'inbound_call', 'outbound_call', 'field', 'web', 'app', 'chatbot', 'ussd', 'ivr'])), name='campaign_forecast_kind_valid')],
            },
        ),
        migrations.AddConstraint(
            model_name='capacityplan',
            constraint=models.UniqueConstraint(fields=('site', 'channel_kind'), name='capacity_plan_once'),
        ),
        migrations.AddConstraint(
            model_name='capacityplan',
            constraint=models.CheckConstraint(condition=models.Q(('channel_kind__in', ['store', 'inbound_call', 'outbound_call', 'field'])), name='capacity_plan_kind_assisted'),
        ),
        migrations.AddConstraint(
            model_name='handletime',
            constraint=models.UniqueConstraint(fields=('plan', 'contact_type'), name='handle_time_once'),
        ),
        migrations.AddConstraint(
            model_name='rosterentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('day__isnull', False), ('weekday__isnull', True)), models.Q(('day__isnull', True), ('weekday__isnull', False)), _connector='OR'), name='roster_weekday_or_date'),
        ),
        migrations.AddConstraint(
            model_name='rosterentry',
            constraint=models.UniqueConstraint(condition=models.Q(('day__isnull', True)), fields=('plan', 'weekday', 'hour_band'), name='roster_weekday_once'),
        ),
        migrations.AddConstraint(
            model_name='rosterentry',
            constraint=models.UniqueConstraint(condition=models.Q(('day__isnull', False)), fields=('plan', 'day', 'hour_band'), name='roster_date_once'),
        ),
    ]
