"""The training gate of a decision: offers of a campaign that requires training are shown only
to agents who passed it.

Who has passed which campaign's training is the training app's to answer; it registers the
answer here when it is installed (training imports campaigns, never the other way round).
The function takes ``user`` and ``campaign_ids`` and returns {campaign id: [guide dicts]} for
the campaigns the user has not passed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

TrainingGate = Callable[..., dict[int, list[dict]]]
_gate: list[TrainingGate | None] = [None]


def register(gate: TrainingGate) -> None:
    """Make ``gate`` the answer to "which of these campaigns has this user not passed?"."""
    _gate[0] = gate


def untrained(agent, candidates: list) -> dict[int, list[dict]]:
    """The candidates' (``decisioning.Candidate``) training-required campaigns the agent has not
    passed (one query, and none when no candidate's campaign requires training). Requests
    without a user are not gated."""
    required = {c.campaign.pk for c in candidates if c.campaign.training_required}
    if agent is None or not required:
        return {}
    if _gate[0] is None:  # no training app: nobody can pass, so nobody sees these offers
        return {campaign_id: [] for campaign_id in required}
    return _gate[0](user=agent, campaign_ids=required)


def explanation(campaign, guides: list[dict]) -> str:
    """Why the campaign's offers are not shown to the agent, and what to complete."""
    if not guides:
        return _(
            "%(campaign)s needs training first, and no guide is published for you yet: ask your trainer."
        ) % {"campaign": campaign.name}
    return _("%(campaign)s needs training first: complete “%(guide)s” to see its offers.") % {
        "campaign": campaign.name,
        "guide": guides[0]["title"],
    }
