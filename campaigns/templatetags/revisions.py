"""``{% campaign_revisions campaign user as revisions %}``: what the revisions part of a
campaign's governance page shows, so the page's view need not know about revisions."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from ..governance.four_eyes import approval_refusal
from ..governance.history import editors_since
from ..governance.revisions import DiffRow, also_used_by, diff
from ..models import Campaign, CampaignRevision, RevisionStatus

register = template.Library()

DECIDED_SHOWN = 10


@dataclass(frozen=True)
class ShownRevision:
    """A revision with its before/after rows, the other campaigns its offers reach, and why
    the reader may not approve it (None: they may)."""

    revision: CampaignRevision
    rows: list[DiffRow]
    also_used_by: list[str]
    refusal: str | None


@dataclass(frozen=True)
class Revisions:
    pending: list[ShownRevision]
    decided: list[ShownRevision]


@register.simple_tag
def campaign_revisions(campaign: Campaign, user) -> Revisions:
    revisions = list(
        campaign.revisions.select_related("proposed_by", "decided_by").order_by("-number")[
            : DECIDED_SHOWN + 1
        ]
    )
    pending, decided = [], []
    for revision in revisions:
        revision.campaign = campaign
        if revision.status == RevisionStatus.PENDING:
            editors = set(revision.editor_ids) | editors_since(campaign, revision.proposed_at)
            refusal = approval_refusal(user, author_id=revision.proposed_by_id, editor_ids=editors)
            pending.append(ShownRevision(revision, diff(revision), also_used_by(revision), refusal))
        elif len(decided) < DECIDED_SHOWN:
            decided.append(ShownRevision(revision, diff(revision), [], None))
    return Revisions(pending, decided)
