"""Moving a campaign through its statuses: the one place that decides what is allowed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import CAMPAIGN_TRANSITIONS, CampaignStatus
from .models import Campaign


@transaction.atomic
def change_status(*, campaign: Campaign, to: str) -> Campaign:
    """Move ``campaign`` to status ``to`` if its lifecycle allows it; raise a clear error if not."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
        allowed = ", ".join(
            str(CampaignStatus(s).label) for s in CAMPAIGN_TRANSITIONS[campaign.status]
        )
        raise ValidationError(
            _(
                "Campaign %(code)s is %(status)s and cannot become %(to)s. Possible next: %(allowed)s."
            )
            % {
                "code": campaign.code,
                "status": campaign.get_status_display(),
                "to": CampaignStatus(to).label,
                "allowed": allowed or _("none (ended campaigns stay ended)"),
            }
        )
    if to == CampaignStatus.LIVE and not campaign.offers.exists():
        raise ValidationError(
            _("Campaign %(code)s has no offers; add at least one before it goes live.")
            % {"code": campaign.code}
        )
    campaign.status = to
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


def end_expired_campaigns(*, now=None) -> list[str]:
    """End every live or paused campaign whose period is over; returns their codes."""
    from django.utils import timezone

    now = now or timezone.now()
    ended = []
    expired = Campaign.objects.filter(
        status__in=[CampaignStatus.LIVE, CampaignStatus.PAUSED], ends_at__lte=now
    ).order_by("pk")
    for campaign in expired:
        change_status(campaign=campaign, to=CampaignStatus.ENDED)
        ended.append(campaign.code)
    return ended
