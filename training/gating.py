"""What the console and the decisioning service ask of training: who has not completed what.

A guide concerns a person when its audience includes them (the same rule that assigns it);
a guide of another channel or site neither shows a notice nor holds back offers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef

from .models import Guide, audience_includes, counting_completion


def _pending(user, campaign_ids: list[int], *, training_required: bool) -> dict[int, list[dict]]:
    from .progress import person

    if not campaign_ids:
        return {}
    who = person(user)
    links = Guide.campaigns.through.objects.filter(
        campaign_id__in=campaign_ids, guide__current_version__isnull=False
    ).filter(~counting_completion(user.pk, OuterRef("guide_id")))
    if training_required:
        links = links.filter(campaign__training_required=True)
    rows = links.values_list(
        "campaign_id",
        "guide_id",
        "guide__current_version__title",
        "guide__channel_kinds",
        "guide__site_ids",
        "guide__roles",
    ).order_by("guide__current_version__title", "guide_id")
    found: dict[int, list[dict]] = {}
    for campaign_id, guide_id, title, kinds, site_ids, roles in rows:
        if audience_includes(
            channel_kinds=kinds or [],
            site_ids=site_ids or [],
            roles=roles or [],
            person_roles=who["roles"],
            site_id=who["site_id"],
            channel_kind=who["channel_kind"],
        ):
            found.setdefault(campaign_id, []).append({"id": guide_id, "title": title})
    return found


def untrained_campaigns(*, user, campaign_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Of ``campaign_ids``, the training-required campaigns whose published guide ``user`` has
    not completed (acknowledged, quiz passed, version still counted), with those guides.
    One query."""
    return _pending(user, list(campaign_ids), training_required=True)


def guides_to_complete(*, user, campaign_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Per campaign, the published guides for ``user`` that they have not completed yet:
    {campaign id: [{"id", "title"}]}. One query."""
    return _pending(user, list(campaign_ids), training_required=False)
