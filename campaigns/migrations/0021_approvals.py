"""Four-eyes approvals: the governance record of each campaign (submissions, approvals with the
warnings acknowledged, rejections with their comment, and the other status changes)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0020_execution_rollups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApprovalRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("step", models.CharField(choices=[("submitted", "Submitted for review"), ("approved", "Approved"), ("rejected", "Rejected"), ("withdrawn", "Sent back to draft"), ("went_live", "Went live"), ("paused", "Paused"), ("resumed", "Resumed"), ("ended", "Ended")], max_length=20, verbose_name="step")),
                ("from_status", models.CharField(choices=[("draft", "Draft"), ("in_review", "In review"), ("approved", "Approved"), ("live", "Live"), ("paused", "Paused"), ("ended", "Ended")], max_length=20, verbose_name="from")),
                ("to_status", models.CharField(choices=[("draft", "Draft"), ("in_review", "In review"), ("approved", "Approved"), ("live", "Live"), ("paused", "Paused"), ("ended", "Ended")], max_length=20, verbose_name="to")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("comment", models.TextField(blank=True, max_length=2000, verbose_name="comment")),
                ("acknowledged", models.JSONField(blank=True, db_default=models.Value([], output_field=models.JSONField()), default=list, verbose_name="warnings acknowledged")),
                ("by", models.ForeignKey(blank=True, help_text="Empty: done by the portal itself (e.g. the nightly end of campaigns).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                ("campaign", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="approvals", to="campaigns.campaign", verbose_name="campaign")),
            ],
            options={
                "verbose_name": "approval record",
                "verbose_name_plural": "approval records",
                "ordering": ["-at", "-pk"],
                "indexes": [models.Index(fields=["campaign", "at"], name="approval_campaign_at_idx")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("step__in", ["submitted", "approved", "rejected", "withdrawn", "went_live", "paused", "resumed", "ended"])), name="approval_record_step_valid"),
                    models.CheckConstraint(condition=models.Q(models.Q(("step", "rejected"), _negated=True), models.Q(("comment", ""), _negated=True), _connector="OR"), name="approval_record_rejection_has_comment"),
                ],
            },
        ),
    ]  # fmt: skip
