"""Leads withdrawn by the kill switch: a stopped campaign's leads still waiting on a call list
are closed at once, so no agent is handed one again (even from a list cached a minute ago).

They stay leads of the list, closed as skipped with the skip code ``WITHDRAWN`` (a lead state
of their own would change the lead table's check constraint); the lists' figures count them
apart from the customers the contact policy skipped. Resuming the campaign does not bring them
back: the next day's list is built afresh from the target group.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from channels.choices import LeadState
from channels.models.outbound import Lead

WITHDRAWN = "withdrawn"  # the skip code of a lead withdrawn by the kill switch


def withdraw_waiting_leads(*, campaign_ids, reason: str, now, **_kwargs) -> int:
    """Close the waiting leads of ``campaign_ids`` as withdrawn; how many. Leads an agent holds
    right now are left to the agent, who is on the call."""
    why = _("Campaign stopped: %(reason)s") % {"reason": reason}
    return Lead.objects.filter(
        call_list__campaign_id__in=list(campaign_ids), state=LeadState.WAITING
    ).update(state=LeadState.SKIPPED, skip_code=WITHDRAWN, skip_reason=why[:300], closed_at=now)


def on_campaigns_stopped(sender, **kwargs) -> int:  # noqa: ARG001 - Django's signal signature
    return withdraw_waiting_leads(**kwargs)
