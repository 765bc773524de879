"""Flood alerts: contacts agents tag as "calling about campaign X", counted per hour against
what the campaign was expected to bring.

A campaign floods when, in the last hour, more contacts were tagged with it than its forecast
(``capacity_source.expected_contacts_per_hour``, registered by channels, for the inbound kinds) or, without a
forecast, more than ``CVM_FLOOD_BASELINE_MULTIPLIER`` × its baseline (its average hourly count
over the 7 days before that hour), and at least ``CVM_FLOOD_MIN_CONTACTS`` (two calls are
not a flood). The check runs after each tag once the hour holds that minimum (one indexed
count per tag below it) and every five minutes from Celery beat. One alert per campaign per
clock hour; it is shown in the CVM workspace with a link to the kill switch until a manager
acknowledges it, and e-mailed to the CVM managers who have an address when e-mail is
configured (``EMAIL_HOST``, or any non-SMTP backend, e.g. in tests).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import ChannelKind
from campaigns.models import Campaign, CampaignInquiry, Customer, FloodAlert, FloodBasis
from cvm_portal import formatting as fmt
from cvm_portal.roles import Role

from .capacity_source import expected_contacts_per_hour

log = logging.getLogger("cvm.floods")

HOUR = timedelta(hours=1)
BASELINE_DAYS = 7
# The kinds whose forecast counts: contacts the customer starts (a call, a visit).
INBOUND_KINDS = (ChannelKind.INBOUND_CALL, ChannelKind.STORE)


def taggable_campaigns(kind: str):
    """The campaigns an agent of channel kind ``kind`` may tag a contact with: live ones of it."""
    return Campaign.objects.shown_to_agents([kind])


def tag_inquiry(
    *,
    campaign: Campaign,
    agent,
    site_id: int | None,
    channel_kind: str,
    key: str,
    customer: Customer | None = None,
    now: datetime | None = None,
) -> tuple[CampaignInquiry, bool]:
    """Record that a contact is about ``campaign``; (the tag, whether it is new). The same
    ``key`` from the same agent (a double click, a resent form) records it once."""
    now = now or timezone.now()
    if not taggable_campaigns(channel_kind).filter(pk=campaign.pk).exists():
        raise ValidationError(
            _("%(campaign)s is not live in your channel; it cannot be tagged.")
            % {"campaign": campaign.name}
        )
    found = CampaignInquiry.objects.filter(agent=agent, key=key).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            inquiry = CampaignInquiry.objects.create(
                campaign=campaign,
                agent=agent,
                site_id=site_id,
                channel_kind=channel_kind,
                customer=customer,
                key=key,
                at=now,
            )
    except IntegrityError:  # the same click arrived twice at once: the other one recorded it
        return CampaignInquiry.objects.get(agent=agent, key=key), False
    if _count(campaign.pk, now - HOUR, now) >= settings.CVM_FLOOD_MIN_CONTACTS:
        transaction.on_commit(lambda: check_flood(campaign=campaign, now=now))
    return inquiry, True


def _count(campaign_id: int, since: datetime, until: datetime) -> int:
    return CampaignInquiry.objects.filter(
        campaign_id=campaign_id, at__gt=since, at__lte=until
    ).count()


def expected_contacts(campaign: Campaign, now: datetime) -> tuple[float, str]:
    """How many tagged contacts an hour ``campaign`` may bring before it is a flood, and on
    what basis: its forecast when capacity planning has one, else its baseline × multiplier."""
    forecasts = [expected_contacts_per_hour(campaign, kind) for kind in INBOUND_KINDS]
    known = [f for f in forecasts if f is not None]
    if known:
        return float(sum(known)), FloodBasis.FORECAST
    start = now - HOUR
    week = _count(campaign.pk, start - timedelta(days=BASELINE_DAYS), start)
    baseline = week / (BASELINE_DAYS * 24)
    return settings.CVM_FLOOD_BASELINE_MULTIPLIER * baseline, FloodBasis.BASELINE


def check_flood(*, campaign: Campaign, now: datetime | None = None) -> FloodAlert | None:
    """Raise this hour's alert for ``campaign`` if its contacts of the last hour are a flood;
    the new alert, or None (no flood, or this hour's alert already exists)."""
    now = now or timezone.now()
    count = _count(campaign.pk, now - HOUR, now)
    if count < settings.CVM_FLOOD_MIN_CONTACTS:
        return None
    expected, basis = expected_contacts(campaign, now)
    if count <= expected:
        return None
    hour = now.replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            alert, created = FloodAlert.objects.get_or_create(
                campaign=campaign,
                hour=hour,
                defaults={"count": count, "expected": expected, "basis": basis, "raised_at": now},
            )
    except IntegrityError:  # raised at the same moment by the tag of another agent
        return None
    if not created:
        return None
    transaction.on_commit(lambda: email_managers(alert))
    return alert


def check_floods(*, now: datetime | None = None) -> list[FloodAlert]:
    """Check every campaign tagged in the last hour (Celery beat, every five minutes)."""
    now = now or timezone.now()
    ids = (
        CampaignInquiry.objects.filter(at__gt=now - HOUR, at__lte=now)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    raised = []
    for campaign in Campaign.objects.filter(pk__in=list(ids)).order_by("pk"):
        alert = check_flood(campaign=campaign, now=now)
        if alert is not None:
            raised.append(alert)
    return raised


def _email_configured() -> bool:
    smtp = settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    return bool(settings.EMAIL_HOST) or not smtp


def email_managers(alert: FloodAlert) -> int:
    """E-mail the alert to the active CVM managers who have an address; how many."""
    if not _email_configured():
        return 0
    to = sorted(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CVM_MANAGER.value)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not to:
        return 0
    campaign = alert.campaign
    link = reverse("campaigns:kill_switch") + f"?campaign={campaign.pk}"
    subject = _("Flood alert: %(code)s — %(count)d contacts in an hour") % {
        "code": campaign.code,
        "count": alert.count,
    }
    body = _(
        "%(count)d contacts in the last hour were about campaign %(code)s (%(name)s); "
        "at most %(expected)s were expected (%(basis)s).\n\n"
        "If its text or offer is wrong, stop it with the kill switch: %(link)s"
    ) % {
        "count": alert.count,
        "code": campaign.code,
        "name": campaign.name,
        "expected": fmt.number(alert.expected),
        "basis": alert.get_basis_display(),
        "link": link,
    }
    try:
        send_mail(subject, body, None, to)
    except OSError:  # the mail server is down: the banner in the workspace still shows it
        log.warning("flood alert %s: e-mail not sent", alert.pk, exc_info=True)
        return 0
    FloodAlert.objects.filter(pk=alert.pk).update(emailed_to=len(to))
    return len(to)


@transaction.atomic
def acknowledge(*, alert: FloodAlert, by, now: datetime | None = None) -> FloodAlert:
    """A CVM manager has seen the alert: it leaves the workspace banner (kept on record)."""
    alert = FloodAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now or timezone.now(), by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


def open_alerts():
    """Alerts no manager has acknowledged yet, of the last day, newest first."""
    return (
        FloodAlert.objects.filter(
            acknowledged_at__isnull=True, raised_at__gte=timezone.now() - timedelta(days=1)
        )
        .select_related("campaign")
        .order_by("-raised_at")
    )
