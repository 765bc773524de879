"""Digital teams are trained too (issue 17): their profile, and the audience's help texts."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import campaigns.fields


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_translations"),
        ("channels", "0019_handover"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="guide",
            name="channel_kinds",
            field=campaigns.fields.ChannelKindsField(
                blank=True,
                default=list,
                help_text="People working in these channels get the guide (none ticked: every channel).",
                verbose_name="channel kinds",
            ),
        ),
        migrations.AlterField(
            model_name="guide",
            name="roles",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="People holding these roles get the guide (none ticked: agents and leads; digital teams only when ticked).",
                verbose_name="roles",
            ),
        ),
        migrations.AlterField(
            model_name="guide",
            name="site_ids",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Agents at these sites get the guide (none chosen: every site). Digital teams work at no site.",
                verbose_name="sites",
            ),
        ),
        migrations.CreateModel(
            name="DigitalTeamProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel_kinds",
                    campaigns.fields.ChannelKindsField(
                        default=list,
                        help_text="The digital channels this person works on.",
                        verbose_name="channel kinds",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="digital_team_profile",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "digital team member",
                "verbose_name_plural": "digital team members",
                "ordering": ["user__username"],
            },
        ),
    ]
