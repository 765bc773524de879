"""What every decision needs and few people change: the contact policy, the live campaigns,
their offers, rules and active target-group versions — held in each process's memory.

Building it takes a few queries; a decision then only asks the database about the customer.
Any save or delete of a campaign, offer, product, rule or target group, a change of a
campaign's offers and the activation of a loaded version give the catalogue a new *stamp*
in the shared cache; every process reads the stamp at most every ``STAMP_CHECK_EVERY`` seconds
(at once after a change of its own) and rebuilds when it changed. As a safety net (for
changes written past the ORM) a process never keeps a catalogue longer than ``MAX_AGE``.
Whether a campaign has started or ended is checked at decision time, so the clock needs no
rebuild.

Without the shared cache (Redis down: ``cvm_portal.cache`` answers every read as a miss) there
is no stamp to compare, so the database is the only truth: a process rebuilds its catalogue
when it is older than ``UNSHARED_MAX_AGE`` and at once after a change of its own, and goes
back to the stamp when the cache answers again.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .choices import CampaignStatus
from .models import (
    Campaign,
    ContactPolicy,
    DeclineReason,
    EligibilityRule,
    Offer,
    OfferContent,
    Product,
    TargetGroup,
)

STAMP_KEY = "cvm:catalogue-stamp"
MAX_AGE = 60.0  # seconds
# How often a process asks the shared cache for the stamp (a Redis round trip): a change made
# in another process is seen within this time; one made in this process at once.
STAMP_CHECK_EVERY = 1.0  # seconds
# Without the shared cache a change made in another process shows within this time.
UNSHARED_MAX_AGE = 5.0  # seconds


@dataclass(frozen=True)
class LiveCampaign:
    campaign: Campaign
    version_id: int | None  # the active target-group version, if any
    control: tuple[str, Decimal] | None  # that version's control code and share
    offers: tuple[Offer, ...]  # with their products
    rule: EligibilityRule | None  # set for always-on campaigns

    def runs_at(self, now) -> bool:
        return self.campaign.starts_at <= now < self.campaign.ends_at

    def in_kind(self, kind: str) -> bool:
        return kind in self.campaign.channel_kinds


_local = threading.local()
_generation = [0]  # bumped by every change made in this process: its threads recheck at once


def _new_stamp() -> None:
    _generation[0] += 1
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def invalidate(**_kwargs) -> None:
    """Make every process rebuild its catalogue on its next decision.

    Stamped now (this transaction sees its own change at once) and again on commit (a process
    that rebuilt in between, without the uncommitted change, rebuilds once more)."""
    _new_stamp()
    transaction.on_commit(_new_stamp)


def recheck() -> None:
    """Make this process's threads read the shared stamp on their next decision (e.g. after
    the shared cache was cleared)."""
    _generation[0] += 1


_forced = [0]  # bumped when the kill switch was used anywhere: every thread rebuilds at once


def rebuild() -> None:
    """Make this process's threads rebuild their catalogue on their next decision, whatever
    the stamp says: the kill switch was used (``campaigns.governance.stop_signal``)."""
    _forced[0] += 1


def _stamp() -> str | None:
    """The shared stamp, or None when the shared cache does not answer."""
    stamp = cache.get(STAMP_KEY)
    if stamp is None:  # first use, the cache was cleared, or it is not answering
        cache.add(STAMP_KEY, uuid.uuid4().hex, None)  # add: a stamp set meanwhile stays
        stamp = cache.get(STAMP_KEY)
    return stamp


@dataclass(frozen=True)
class Snapshot:
    policy: ContactPolicy
    campaigns: tuple[LiveCampaign, ...]
    contents: dict[tuple[int, str], OfferContent]  # (offer id, channel kind) → the offer's texts
    decline_reasons: tuple[DeclineReason, ...]  # the active ones, in their order
    _memo: dict = field(default_factory=dict, compare=False, repr=False)
    # The last answer of live_campaigns: a decision asks twice for the same kind and moment
    # (the versions to read, then the campaigns to arbitrate).
    _last_live: list = field(default_factory=lambda: [None], compare=False, repr=False)

    def live_campaigns(self, kind: str, now) -> list[LiveCampaign]:
        """Campaigns live at ``now`` in channel kind ``kind``, with their offers, version and rule."""
        last = self._last_live[0]  # (kind, now, campaigns): one reference, safe across threads
        if last is not None and last[1] == now and last[0] == kind:
            return list(last[2])
        live = [lc for lc in self.campaigns if lc.runs_at(now) and lc.in_kind(kind)]
        self._last_live[0] = (kind, now, tuple(live))
        return live

    def version_ids(self, kind: str, now) -> list[int]:
        """The active target-group versions of the campaigns live at ``now`` in ``kind``: what a
        decision reads the customer's memberships in (``campaigns.store.decision_facts``)."""
        return [lc.version_id for lc in self.live_campaigns(kind, now) if lc.version_id is not None]

    def control_codes(self, kind: str, now) -> list[str]:
        """The control codes of ``version_ids(kind, now)``, in their order: the store may work
        out a member's control-group bucket with their row (``campaigns.control``)."""
        return [lc.control[0] for lc in self.live_campaigns(kind, now) if lc.version_id is not None]

    def content(self, offer_id: int, kind: str) -> OfferContent | None:
        """What offer ``offer_id`` says in channel kind ``kind``, if CVM wrote it."""
        return self.contents.get((offer_id, kind))

    def memo(self, key: Hashable, build: Callable[[], object]):
        """``build()``, once per catalogue: for what other apps derive from rarely changed rows
        (they call ``invalidate`` when those rows change, as the catalogue's own models do)."""
        if key not in self._memo:
            if len(self._memo) > 1000:  # keys carry dates and sites: never grow without bound
                self._memo.clear()
            self._memo[key] = build()
        return self._memo[key]


def _build() -> Snapshot:
    campaigns = list(Campaign.objects.filter(status=CampaignStatus.LIVE).order_by("code"))
    ids = [c.pk for c in campaigns]
    versions = {
        campaign_id: (version_id, (code, share))
        for campaign_id, version_id, code, share in TargetGroup.objects.filter(
            campaign_id__in=ids, active_version__isnull=False
        ).values_list(
            "campaign_id",
            "active_version_id",
            "active_version__control_code",
            "active_version__control_share",
        )
    }
    rules = {
        r.campaign_id: r
        for r in EligibilityRule.objects.filter(campaign_id__in=ids).select_related(
            "requires_product"
        )
    }
    offers: dict[int, list[Offer]] = {}
    for link in (
        Campaign.offers.through.objects.filter(campaign_id__in=ids)
        .select_related("offer__product")
        .order_by("offer__code")
    ):
        offers.setdefault(link.campaign_id, []).append(link.offer)
    policy = ContactPolicy.objects.filter(pk=1).first() or ContactPolicy(pk=1)  # reads never write
    offer_ids = {offer.pk for campaign_offers in offers.values() for offer in campaign_offers}
    contents = {
        (content.offer_id, content.channel_kind): content
        for content in OfferContent.objects.filter(offer_id__in=offer_ids)
    }
    return Snapshot(
        policy=policy,
        contents=contents,
        decline_reasons=tuple(DeclineReason.objects.filter(is_active=True)),
        campaigns=tuple(
            LiveCampaign(
                c,
                *versions.get(c.pk, (None, None)),
                offers=tuple(offers.get(c.pk, ())),
                rule=rules.get(c.pk),
            )
            for c in campaigns
        ),
    )


class _Held(NamedTuple):
    """A thread's catalogue: the stamp it was built under (None: the cache did not answer),
    when, and when the stamp was last read."""

    stamp: str | None
    built_at: float
    snapshot: Snapshot
    checked_at: float
    generation: int  # of this process's own changes, when the stamp was last read
    forced: int  # of this process's forced rebuilds (the kill switch), when it was built


def current() -> Snapshot:
    """This thread's catalogue, rebuilt when its stamp changed or it is older than ``MAX_AGE``.
    The shared stamp is read at most every ``STAMP_CHECK_EVERY`` seconds, and at once after a
    change made in this process. Without a stamp (the cache does not answer) it is rebuilt
    when older than ``UNSHARED_MAX_AGE`` or after a change made in this process."""
    now = time.monotonic()
    held: _Held | None = getattr(_local, "held", None)
    if (
        held is not None
        and now - held.checked_at < STAMP_CHECK_EVERY
        and held.generation == _generation[0]
        and held.forced == _forced[0]
        and now - held.built_at <= MAX_AGE
    ):
        return held.snapshot
    generation, forced = _generation[0], _forced[0]
    stamp = _stamp()
    if (
        held is None
        or held.forced != forced
        or held.stamp != stamp
        or now - held.built_at > MAX_AGE
        or (
            stamp is None
            and (held.generation != generation or now - held.built_at > UNSHARED_MAX_AGE)
        )
    ):
        held = _Held(stamp, now, _build(), now, generation, forced)
    else:
        held = held._replace(checked_at=now, generation=generation)
    _local.held = held
    return held.snapshot


def connect_signals() -> None:
    for model in (
        Campaign,
        Offer,
        OfferContent,
        Product,
        EligibilityRule,
        TargetGroup,
        ContactPolicy,
        DeclineReason,
    ):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(
            invalidate, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}"
        )
    m2m_changed.connect(
        invalidate, sender=Campaign.offers.through, dispatch_uid="catalogue-campaign-offers"
    )
