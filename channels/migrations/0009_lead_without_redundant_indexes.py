"""Drop the leads' single-column indexes on call_list, customer and assigned_to: the indexes
lead_customer_once_per_list, lead_customer_idx and lead_agent_idx start with those columns, and
every claim of a lead updates every index of the table.

Only the indexes are dropped (AlterField alone would also drop and re-add the foreign keys,
re-checking every lead under a lock)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0011_always_on_offers_and_holdings'),
        ('channels', '0008_lead_state_expired'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='lead',
                    name='assigned_to',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='call_list',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='leads', to='channels.calllist', verbose_name='call list'),
                ),
                migrations.AlterField(
                    model_name='lead',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.customer', verbose_name='customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX IF NOT EXISTS {name} ON channels_lead ({column})",
                )
                for name, column in [
                    ("channels_lead_assigned_to_id_e071eee2", "assigned_to_id"),
                    ("channels_lead_call_list_id_080c48a3", "call_list_id"),
                    ("channels_lead_customer_id_eeab95f0", "customer_id"),
                ]
            ],
        )
    ]
