"""Service contacts and the support-routing policy (issue 19): the contacts file's rows, the
policy's versions and rules, and the contacts kind of load run."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import campaigns.models.service


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0033_channel_costs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceContact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel_kind", models.CharField(max_length=20, verbose_name="channel")),
                ("reason", models.CharField(max_length=100, verbose_name="contact reason")),
                ("contacted_on", models.DateField(verbose_name="date")),
                (
                    "resolved_first_contact",
                    models.BooleanField(verbose_name="resolved at first contact"),
                ),
                ("self_service", models.BooleanField(verbose_name="handled by self-service")),
            ],
            options={
                "verbose_name": "service contact",
                "verbose_name_plural": "service contacts",
                "ordering": ["-contacted_on"],
            },
        ),
        migrations.CreateModel(
            name="SupportRoutingPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(unique=True, verbose_name="version")),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        help_text="Why this version: the scenario it came from.",
                        verbose_name="note",
                    ),
                ),
                (
                    "scenario",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The what-if this version was saved from, with its figures.",
                        verbose_name="scenario",
                    ),
                ),
                ("is_active", models.BooleanField(default=False, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "activated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="active since"),
                ),
                ("retired_at", models.DateTimeField(blank=True, null=True, verbose_name="retired")),
            ],
            options={
                "verbose_name": "support-routing policy",
                "verbose_name_plural": "support-routing policies",
                "ordering": ["-version"],
            },
        ),
        migrations.CreateModel(
            name="SupportRoutingRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "segment",
                    models.CharField(
                        choices=[
                            ("prepaid", "Consumer prepaid"),
                            ("postpaid", "Consumer postpaid"),
                            ("small_business", "Small business"),
                            ("corporate", "Corporate"),
                        ],
                        max_length=20,
                        verbose_name="segment",
                    ),
                ),
                (
                    "value_tier",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("bronze", "Bronze"),
                            ("silver", "Silver"),
                            ("gold", "Gold"),
                            ("platinum", "Platinum"),
                        ],
                        help_text="Empty: every tier of the segment without a rule of its own.",
                        max_length=10,
                        verbose_name="value tier",
                    ),
                ),
                (
                    "preferred_channel",
                    models.CharField(
                        blank=True,
                        help_text="An exception for customers who prefer this channel; empty: everyone.",
                        max_length=20,
                        verbose_name="preferred channel",
                    ),
                ),
                (
                    "options",
                    models.JSONField(
                        default=list,
                        validators=[campaigns.models.service._options_valid],
                        verbose_name="support options",
                    ),
                ),
            ],
            options={
                "verbose_name": "support-routing rule",
                "verbose_name_plural": "support-routing rules",
                "ordering": ["policy", "segment", "value_tier", "preferred_channel"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="loadrun",
            name="load_run_kind_valid",
        ),
        migrations.AlterField(
            model_name="loadrun",
            name="kind",
            field=models.CharField(
                choices=[
                    ("customers", "Customer snapshot"),
                    ("target_group", "Target group"),
                    ("conversions", "Conversions"),
                    ("contacts", "Service contacts"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="loadrun",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["customers", "target_group", "conversions", "contacts"])
                ),
                name="load_run_kind_valid",
            ),
        ),
        migrations.AddField(
            model_name="servicecontact",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="service_contacts",
                to="campaigns.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddField(
            model_name="servicecontact",
            name="load_run",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="service_contacts",
                to="campaigns.loadrun",
                verbose_name="load run",
            ),
        ),
        migrations.AddField(
            model_name="supportroutingpolicy",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AddField(
            model_name="supportroutingrule",
            name="policy",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rules",
                to="campaigns.supportroutingpolicy",
                verbose_name="policy",
            ),
        ),
        migrations.AddIndex(
            model_name="servicecontact",
            index=models.Index(
                fields=["contacted_on", "channel_kind"], name="service_contact_day_channel"
            ),
        ),
        migrations.AddIndex(
            model_name="servicecontact",
            index=models.Index(
                fields=["customer", "contacted_on"], name="service_contact_customer"
            ),
        ),
        migrations.AddConstraint(
            model_name="supportroutingpolicy",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_active", True)),
                fields=("is_active",),
                name="support_policy_one_active",
            ),
        ),
        migrations.AddConstraint(
            model_name="supportroutingrule",
            constraint=models.UniqueConstraint(
                fields=("policy", "segment", "value_tier", "preferred_channel"),
                name="support_rule_once",
            ),
        ),
    ]
