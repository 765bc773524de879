"""The kill switch: stop a campaign, or every live campaign of an offer or of a product, in
every channel at once; and undo it by resuming.

A stop pauses the live campaigns it names (through ``campaigns.lifecycle.change_status``, so
the governance record, the history and the audit trail say who and why) and, in the same
transaction:

- withdraws their call-list leads still waiting (the delivery side does it on the
  ``campaigns_stopped`` signal and says how many): no agent is handed one again, and the lists'
  figures count them as withdrawn;
- announces a new stop generation (``stop_signal``): every web process and Celery worker
  rebuilds its catalogue before its next decision, so the console, the API and USSD stop
  offering the campaigns on their very next request, with Redis up or down.

Resuming sets the campaigns a stop paused back to live (those still paused and not over);
the leads withdrawn stay withdrawn: the next day's call list is built afresh.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import CampaignStatus
from campaigns.lifecycle import change_status
from campaigns.models import Campaign, CampaignStop, Offer, Product, StopScope
from cvm_portal.audit import record_access

from . import stop_signal

# Sent inside the stop's transaction with ``campaign_ids``, ``reason`` and ``now``; a receiver
# returns how many waiting call-list leads it withdrew (channels.outbound.withdrawal).
campaigns_stopped = Signal()

REASON_MAX = 500


def live_campaigns_of(scope: str, target) -> list[Campaign]:
    """The campaigns a stop of ``target`` would pause now: live (whatever their period), in a
    fixed order so their row locks are always taken alike."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.LIVE)
    if scope == StopScope.CAMPAIGN:
        campaigns = campaigns.filter(pk=target.pk)
    elif scope == StopScope.OFFER:
        campaigns = campaigns.filter(offers=target)
    else:
        campaigns = campaigns.filter(offers__product=target)
    return list(campaigns.distinct().order_by("pk"))


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            _("Say why you stop it: agents, the team leads and the audit trail read it.")
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX})
    return reason


@transaction.atomic
def stop(*, scope: str, target: Campaign | Offer | Product, reason: str, by, now=None):
    """Pause every live campaign ``target`` names (a campaign, or those of an offer or a
    product), withdraw their waiting leads, and make every process honour it on its next
    request. Returns the ``CampaignStop``; raises ValidationError with a clear message when
    there is nothing live to stop or no reason."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    if scope not in StopScope.values:
        raise ValidationError(_("Choose a campaign, an offer or a product to stop."))
    campaigns = live_campaigns_of(scope, target)
    if not campaigns:
        raise ValidationError(
            _("Nothing to stop: %(target)s has no live campaign.") % {"target": target}
        )
    record = CampaignStop.objects.create(
        scope=scope,
        reason=reason,
        stopped_by=by,
        stopped_at=now,
        **{scope: target},
    )
    for campaign in campaigns:
        change_status(
            campaign=campaign,
            to=CampaignStatus.PAUSED,
            by=by,
            comment=_("Kill switch: %(reason)s") % {"reason": reason},
        )
    record.campaigns.set(campaigns)
    answers = campaigns_stopped.send(
        sender=CampaignStop, campaign_ids=[c.pk for c in campaigns], reason=reason, now=now
    )
    record.withdrawn_leads = sum(n for _receiver, n in answers if isinstance(n, int))
    record.save(update_fields=["withdrawn_leads"])
    stop_signal.announce()
    record_access(
        user=by,
        action="kill_switch_stop",
        obj=record,
        detail=_("%(target)s — %(codes)s — %(reason)s")
        % {
            "target": target,
            "codes": ", ".join(c.code for c in campaigns),
            "reason": reason,
        },
    )
    return record


@transaction.atomic
def resume(*, stop_record: CampaignStop, by, now=None) -> list[Campaign]:
    """Undo a stop: the campaigns it paused that are still paused and not over go live again
    (leads it withdrew stay withdrawn). Returns the campaigns resumed."""
    now = now or timezone.now()
    record = CampaignStop.objects.select_for_update().get(pk=stop_record.pk)
    if record.resumed_at is not None:
        raise ValidationError(_("This stop was already undone."))
    resumed = []
    for campaign in record.campaigns.filter(status=CampaignStatus.PAUSED, ends_at__gt=now).order_by(
        "pk"
    ):
        change_status(
            campaign=campaign,
            to=CampaignStatus.LIVE,
            by=by,
            comment=_("Resumed after the kill switch (%(reason)s)") % {"reason": record.reason},
        )
        resumed.append(campaign)
    record.resumed_at, record.resumed_by = now, by
    record.save(update_fields=["resumed_at", "resumed_by"])
    stop_signal.announce()
    record_access(
        user=by,
        action="kill_switch_resume",
        obj=record,
        detail=", ".join(c.code for c in resumed) or _("no campaign was still paused"),
    )
    return resumed


def open_stops():
    """Stops not undone yet, newest first, with what they named and paused."""
    return (
        CampaignStop.objects.filter(resumed_at__isnull=True)
        .select_related("campaign", "offer", "product", "stopped_by")
        .prefetch_related("campaigns")
        .order_by("-stopped_at")
    )
