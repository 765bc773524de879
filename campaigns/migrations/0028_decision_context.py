"""Context-aware decisions (issue 17): a decision keeps its request's context, the contact
policy's boost for the family browsed, always-on rules that test the context, and the stated
intents CVM managers keep (seeded with the usual five)."""

import django.core.validators
from django.db import migrations, models

import campaigns.fields
from campaigns.defaults import ensure_intents


def seed_intents(apps, schema_editor):  # noqa: ARG001 - RunPython's signature
    ensure_intents(apps.get_model("campaigns", "Intent"))


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0027_fast_decisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactpolicy",
            name="browsed_family_boost",
            field=models.FloatField(
                default=1.5,
                help_text="When a channel says which product or family the customer is browsing, the score of offers of that family is multiplied by this (1: no boost).",
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="boost for the family browsed",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="context",
            field=models.JSONField(blank=True, null=True, verbose_name="context"),
        ),
        migrations.AddField(
            model_name="eligibilityrule",
            name="browsed_families",
            field=campaigns.fields.ProductFamiliesField(
                blank=True,
                default=list,
                help_text="Only while the customer browses one of these families; none ticked: any.",
                verbose_name="product families browsed",
            ),
        ),
        migrations.AddField(
            model_name="eligibilityrule",
            name="devices",
            field=campaigns.fields.DevicesField(
                blank=True,
                default=list,
                help_text="Only on these devices; none ticked: any.",
                verbose_name="devices",
            ),
        ),
        migrations.AddField(
            model_name="eligibilityrule",
            name="intents",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Only when the customer states one of these intents; none ticked: any.",
                verbose_name="stated intents",
            ),
        ),
        migrations.AddField(
            model_name="historicaleligibilityrule",
            name="browsed_families",
            field=campaigns.fields.ProductFamiliesField(
                blank=True,
                default=list,
                help_text="Only while the customer browses one of these families; none ticked: any.",
                verbose_name="product families browsed",
            ),
        ),
        migrations.AddField(
            model_name="historicaleligibilityrule",
            name="devices",
            field=campaigns.fields.DevicesField(
                blank=True,
                default=list,
                help_text="Only on these devices; none ticked: any.",
                verbose_name="devices",
            ),
        ),
        migrations.AddField(
            model_name="historicaleligibilityrule",
            name="intents",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Only when the customer states one of these intents; none ticked: any.",
                verbose_name="stated intents",
            ),
        ),
        migrations.CreateModel(
            name="Intent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.SlugField(
                        help_text="What the channels send (e.g. “cancel”); changing it breaks their requests.",
                        max_length=40,
                        unique=True,
                        verbose_name="code",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("name_en", models.CharField(max_length=100, null=True, verbose_name="name")),
                ("name_pl", models.CharField(max_length=100, null=True, verbose_name="name")),
                (
                    "excluded_objectives",
                    campaigns.fields.ObjectivesField(
                        blank=True,
                        default=list,
                        help_text="E.g. upsell and cross-sell for a customer who wants to cancel.",
                        verbose_name="no offers of campaigns with these objectives",
                    ),
                ),
                (
                    "excluded_families",
                    campaigns.fields.ProductFamiliesField(
                        blank=True, default=list, verbose_name="no offers of these product families"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Channels may send only active intents.",
                        verbose_name="active",
                    ),
                ),
                (
                    "excluded_campaigns",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="campaigns.campaign",
                        verbose_name="no offers of these campaigns",
                    ),
                ),
            ],
            options={
                "verbose_name": "stated intent",
                "verbose_name_plural": "stated intents",
                "ordering": ["position", "code"],
            },
        ),
        migrations.RunPython(seed_intents, migrations.RunPython.noop),
    ]
