"""Revisions of approved campaigns (CampaignRevision) and the before/after history
django-simple-history keeps of campaigns (with their offer sets), offers, offer contents and
eligibility rules."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import campaigns.fields
import campaigns.textrules


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0021_approvals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCampaign",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        db_index=True,
                        max_length=40,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z0-9][A-Z0-9_-]{1,39}$",
                                "Use 2–40 capital letters, digits, “-” or “_”, starting with a letter or digit.",
                            )
                        ],
                        verbose_name="code",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "objective",
                    models.CharField(
                        choices=[
                            ("acquisition", "Acquisition"),
                            ("upsell", "Upsell"),
                            ("cross_sell", "Cross-sell"),
                            ("retention", "Retention"),
                            ("win_back", "Win-back"),
                        ],
                        max_length=20,
                        verbose_name="objective",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("in_review", "In review"),
                            ("approved", "Approved"),
                            ("live", "Live"),
                            ("paused", "Paused"),
                            ("ended", "Ended"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="starts")),
                ("ends_at", models.DateTimeField(verbose_name="ends")),
                (
                    "channel_kinds",
                    campaigns.fields.ChannelKindsField(default=list, verbose_name="channel kinds"),
                ),
                (
                    "priority_weight",
                    models.DecimalField(
                        decimal_places=2,
                        default=1,
                        help_text="Multiplies the score of this campaign's offers in arbitration (1 = neutral).",
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(0.01),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="priority weight",
                    ),
                ),
                (
                    "control_share",
                    models.DecimalField(
                        decimal_places=2,
                        default=10,
                        help_text="Per cent of the target group held out, so the uplift can be measured.",
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="control-group share (%)",
                    ),
                ),
                (
                    "cooldown_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="A customer is contacted for this campaign at most once in this many days.",
                        validators=[django.core.validators.MaxValueValidator(730)],
                        verbose_name="cooldown (days)",
                    ),
                ),
                (
                    "attribution_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="An accepted offer counts as a confirmed conversion when the warehouse reports its product activated within this many days of the acceptance (1–365).",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="attribution window (days)",
                    ),
                ),
                (
                    "training_required",
                    models.BooleanField(
                        default=False,
                        help_text="Agents see this campaign's offers only after passing the quiz of its programme guide.",
                        verbose_name="training required",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical campaign",
                "verbose_name_plural": "historical campaigns",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCampaign_offers",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "campaign",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="campaigns.historicalcampaign",
                    ),
                ),
                (
                    "offer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.offer",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalCampaign_offers",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalEligibilityRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "segments",
                    campaigns.fields.SegmentsField(
                        blank=True,
                        default=list,
                        help_text="Leave all unticked for every segment.",
                        verbose_name="segments",
                    ),
                ),
                (
                    "value_tiers",
                    campaigns.fields.ValueTiersField(
                        blank=True,
                        default=list,
                        help_text="Leave all unticked for every value tier.",
                        verbose_name="value tiers",
                    ),
                ),
                (
                    "min_tenure_months",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="minimum tenure (months)"
                    ),
                ),
                (
                    "max_tenure_months",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="maximum tenure (months)"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requires_product",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Only customers who already have this product (e.g. an add-on for fibre).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.product",
                        verbose_name="customer must have",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical always-on eligibility",
                "verbose_name_plural": "historical always-on eligibility",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalOffer",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        db_index=True,
                        max_length=40,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z0-9][A-Z0-9_-]{1,39}$",
                                "Use 2–40 capital letters, digits, “-” or “_”, starting with a letter or digit.",
                            )
                        ],
                        verbose_name="code",
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                (
                    "benefit",
                    models.CharField(
                        help_text="What the customer gets, in one sentence.",
                        max_length=300,
                        verbose_name="benefit",
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="Expected added revenue per month if accepted; used in arbitration.",
                        max_digits=10,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="monthly value",
                    ),
                ),
                ("valid_from", models.DateTimeField(verbose_name="valid from")),
                (
                    "valid_until",
                    models.DateTimeField(
                        blank=True,
                        help_text="Leave empty for no end.",
                        null=True,
                        verbose_name="valid until",
                    ),
                ),
                (
                    "channel_kinds",
                    campaigns.fields.ChannelKindsField(
                        default=list,
                        help_text="Where this offer may be presented.",
                        verbose_name="allowed channel kinds",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical offer",
                "verbose_name_plural": "historical offers",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalOfferContent",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "channel_kind",
                    models.CharField(
                        choices=[
                            ("store", "Store"),
                            ("inbound_call", "Inbound call"),
                            ("outbound_call", "Outbound call"),
                            ("field", "Field"),
                            ("web", "Web"),
                            ("app", "App"),
                            ("chatbot", "Chatbot"),
                            ("ussd", "USSD"),
                            ("ivr", "IVR"),
                        ],
                        max_length=20,
                        verbose_name="channel kind",
                    ),
                ),
                (
                    "agent_script",
                    models.TextField(
                        blank=True,
                        help_text="What an agent says. Keep it short: it is read during a live contact.",
                        verbose_name="agent script",
                    ),
                ),
                (
                    "short_text",
                    models.CharField(
                        blank=True,
                        help_text="For USSD/SMS: 182 GSM characters, or 80 if it has any other character.",
                        max_length=182,
                        validators=[campaigns.textrules.validate_short_text],
                        verbose_name="short text",
                    ),
                ),
                (
                    "banner_title",
                    models.CharField(
                        blank=True,
                        help_text="For web and app banners.",
                        max_length=60,
                        verbose_name="banner title",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "offer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.offer",
                        verbose_name="offer",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical offer content",
                "verbose_name_plural": "historical offer content",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="CampaignRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="number")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending approval"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("changes", models.JSONField(default=dict, verbose_name="proposed changes")),
                ("before", models.JSONField(default=dict, verbose_name="approved values replaced")),
                ("proposed_at", models.DateTimeField(auto_now_add=True, verbose_name="proposed")),
                (
                    "editor_ids",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Users other than the proposer who added changes before the decision.",
                        verbose_name="also edited by",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="proposed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "campaign revision",
                "verbose_name_plural": "campaign revisions",
                "ordering": ["campaign", "-number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "number"), name="campaign_revision_number_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("campaign",),
                        name="campaign_revision_one_pending",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["pending", "approved", "rejected", "withdrawn"])
                        ),
                        name="campaign_revision_status_valid",
                    ),
                ],
            },
        ),
    ]
