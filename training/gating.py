"""What the console and the decisioning service ask of training: who has not completed what.

A guide concerns a person when its audience includes them (the same rule that assigns it);
a guide of another channel or site neither shows a notice nor holds back offers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from .models import audience_includes

# Plain SQL on purpose: this runs inside every decision that has a training-required
# candidate, and the ORM spent ~4 ms compiling the same query (bench figures in the report
# of the training issue; the SQL itself takes ~0.5 ms on 700 k completions).
_LINKS_SQL = """
SELECT gc.campaign_id, g.id, v.title, g.channel_kinds, g.site_ids, g.roles,
       EXISTS (
           SELECT 1 FROM training_completion c
           JOIN training_guideversion cv ON cv.id = c.version_id
           WHERE c.user_id = %s AND c.guide_id = g.id AND c.completed_at IS NOT NULL
             AND cv.number >= g.required_version
       ) AS done
FROM training_guide_campaigns gc
JOIN training_guide g ON g.id = gc.guide_id
JOIN training_guideversion v ON v.id = g.current_version_id
WHERE gc.campaign_id IN ({placeholders})
ORDER BY v.title, g.id
"""


def _json_list(value) -> list:
    """JSON columns arrive decoded from PostgreSQL and as text from SQLite."""
    if isinstance(value, str):
        return json.loads(value or "[]")
    return value or []


def _links(user, campaign_ids: list[int]) -> list[tuple]:
    """Published guides of these campaigns with the audience they are for and whether ``user``
    has a completion of them that still counts (``Completion.objects.counting()``): one query."""
    sql = _LINKS_SQL.format(placeholders=", ".join(["%s"] * len(campaign_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *campaign_ids])
        return [
            (
                campaign_id,
                guide_id,
                title,
                _json_list(kinds),
                _json_list(sites),
                _json_list(roles),
                bool(done),
            )
            for campaign_id, guide_id, title, kinds, sites, roles, done in cursor.fetchall()
        ]


def _for_person(user, campaign_ids: list[int]):
    """(campaign id, guide, done) for the published guides whose audience includes ``user``."""
    from .progress import person

    who = person(user)
    for campaign_id, guide_id, title, kinds, site_ids, roles, done in _links(user, campaign_ids):
        if audience_includes(
            channel_kinds=kinds,
            site_ids=site_ids,
            roles=roles,
            person_roles=who["roles"],
            site_id=who["site_id"],
            channel_kind=who["channel_kind"],
            digital_kinds=who["digital_kinds"],
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
