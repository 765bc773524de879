"""What the console and the decisioning service ask of training: who has not completed what.

A guide concerns a person when its audience includes them (the same rule that assigns it);
a guide of another channel or site neither shows a notice nor holds back offers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef

from .models import Guide, audience_includes, counting_completion


def _links(user, campaign_ids: list[int]):
    """Published guides of these campaigns with the audience they are for and whether ``user``
    has a completion of them that still counts."""
    return (
        Guide.campaigns.through.objects.filter(
            campaign_id__in=campaign_ids, guide__current_version__isnull=False
        )
        .annotate(done=counting_completion(user.pk, OuterRef("guide_id")))
        .values_list(
            "campaign_id",
            "guide_id",
            "guide__current_version__title",
            "guide__channel_kinds",
            "guide__site_ids",
            "guide__roles",
            "done",
        )
        .order_by("guide__current_version__title", "guide_id")
    )


def _for_person(user, campaign_ids: list[int]):
    """(campaign id, guide, done) for the published guides whose audience includes ``user``."""
    from .progress import person

    who = person(user)
    for campaign_id, guide_id, title, kinds, site_ids, roles, done in _links(user, campaign_ids):
        if audience_includes(
            channel_kinds=kinds or [],
            site_ids=site_ids or [],
            roles=roles or [],
            person_roles=who["roles"],
            site_id=who["site_id"],
            channel_kind=who["channel_kind"],
        ):
            yield campaign_id, {"id": guide_id, "title": title}, done


def untrained_campaigns(*, user, campaign_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Of ``campaign_ids`` (campaigns that require training), those ``user`` has not passed, with
    the guides still to complete: an empty list when no guide is published for them yet, so
    the offers stay hidden until there is one to pass. One query."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    pending: dict[int, list[dict]] = {pk: [] for pk in ids}
    passed: set[int] = set(ids)
    seen: set[int] = set()
    for campaign_id, guide, done in _for_person(user, ids):
        seen.add(campaign_id)
        if not done:
            pending[campaign_id].append(guide)
            passed.discard(campaign_id)
    passed &= seen  # a campaign with no guide for this person has nothing they could pass
    return {pk: guides for pk, guides in pending.items() if pk not in passed}


def guides_to_complete(*, user, campaign_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Per campaign, the published guides for ``user`` that they have not completed yet:
    {campaign id: [{"id", "title"}]}. One query."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    found: dict[int, list[dict]] = {}
    for campaign_id, guide, done in _for_person(user, ids):
        if not done:
            found.setdefault(campaign_id, []).append(guide)
    return found
