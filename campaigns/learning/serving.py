"""Learned propensities served to decisions from each process's memory, never from the database.

The table — {(offer id, channel kind, segment, value tier): Evidence} — is read whole (one
query; at most offers × channel kinds × 16 groups rows) and held by the process. A refresh
(``campaigns.learning.refresh``) gives it a new *stamp* in the shared cache on commit; a
process reads the stamp at most every ``STAMP_CHECK_EVERY`` seconds and reloads when it
changed, and never keeps a table longer than ``MAX_AGE`` (a safety net for writes past the
refresh). Without the shared cache (Redis down) there is no stamp: the table is reloaded when
older than ``UNSHARED_MAX_AGE``. The same pattern as ``campaigns.catalogue``.

``Assessor`` applies a campaign's ``propensity_source`` to a decision's candidates:

- file: the target-group file's propensity, as before learning (None: the policy's default);
- learned: the posterior mean with the customer's own file propensity as the prior mean when
  the file gave one, else the group's prior, updated by the group's evidence; no row for the
  group (no evidence yet) leaves the file's propensity, or the policy's default;
- blended: the average of the file's (or the default) and the learned figure.

Exploration (``Campaign.exploration_share`` per cent of decisions, drawn per decision and
campaign): the campaign's offers are scored with a Thompson sample of that posterior instead
of its mean — never a candidate held out for a control group. The presentation still records
the estimate (the mean), so the model report compares predictions, not draws.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from campaigns.choices import PropensitySource
from campaigns.learning.estimates import Evidence, beta_parameters, posterior_mean, thompson
from campaigns.models import LearnedPropensity

STAMP_KEY = "cvm:learning-stamp"
STAMP_CHECK_EVERY = 1.0  # seconds between reads of the shared stamp
MAX_AGE = 600.0  # seconds: reloaded at least this often whatever the stamp says
UNSHARED_MAX_AGE = 60.0  # seconds, when the shared cache does not answer
# A group needs this many presentations with an outcome before its reason speaks of "customers
# like this" (campaigns.reasons): fewer say more about the prior than about customers.
REASON_MIN_EVIDENCE = 30

Key = tuple[int, str, str, str]  # offer id, channel kind, segment, value tier

# Exploration's random numbers; tests seed it (``seed``) to make many decisions repeatable.
rng = random.Random()


def seed(value: int) -> None:
    rng.seed(value)


class _Held(NamedTuple):
    stamp: str | None
    built_at: float
    checked_at: float
    generation: int
    table: dict[Key, Evidence]


_held: list[_Held | None] = [None]
_generation = [0]  # bumped by a refresh in this process: reload at once
_lock = threading.Lock()


def _load() -> dict[Key, Evidence]:
    rows = LearnedPropensity.objects.values_list(
        "offer_id", "channel_kind", "segment", "value_tier",
        "prior", "prior_weight", "presented", "accepted",
    )  # fmt: skip
    return {(o, k, s, t): Evidence(p, w, n, a) for o, k, s, t, p, w, n, a in rows}


def _stamp() -> str | None:
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        cache.add(STAMP_KEY, uuid.uuid4().hex, None)
        stamp = cache.get(STAMP_KEY)
    return stamp


def _new_stamp() -> None:
    _generation[0] += 1
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def invalidate() -> None:
    """Every process reloads its table on its next decision (now and on commit)."""
    _new_stamp()
    transaction.on_commit(_new_stamp)


def recheck() -> None:
    """Read the shared stamp on the next decision (e.g. after the shared cache was cleared)."""
    _generation[0] += 1


def table() -> dict[Key, Evidence]:
    """This process's table, reloaded when the stamp changed or it is too old."""
    now = time.monotonic()
    held = _held[0]
    if (
        held is not None
        and now - held.checked_at < STAMP_CHECK_EVERY
        and held.generation == _generation[0]
        and now - held.built_at <= MAX_AGE
    ):
        return held.table
    with _lock:
        generation = _generation[0]
        stamp = _stamp()
        if (
            held is None
            or held.stamp != stamp
            or (held.generation != generation and stamp is None)
            or now - held.built_at > (MAX_AGE if stamp is not None else UNSHARED_MAX_AGE)
        ):
            held = _Held(stamp, now, now, generation, _load())
        else:
            held = held._replace(checked_at=now, generation=generation)
        _held[0] = held
    return held.table


def uses_learning(campaign) -> bool:
    return campaign.propensity_source != PropensitySource.FILE or campaign.exploration_share > 0


class Assessor:
    """The likelihoods of one decision's candidates: one per decision (its exploration draws
    are per campaign and decision)."""

    def __init__(self, channel_kind: str, customer, default_propensity: float):
        self.kind = channel_kind
        self.segment = customer.segment
        self.tier = customer.value_tier
        self.default = default_propensity
        self._table: dict[Key, Evidence] | None = None
        self._explore: dict[int, bool] = {}

    def _exploring(self, campaign) -> bool:
        share = float(campaign.exploration_share)
        if share <= 0:
            return False
        if campaign.pk not in self._explore:
            self._explore[campaign.pk] = rng.random() * 100 < share
        return self._explore[campaign.pk]

    def assess(self, c) -> None:
        """Set ``c.propensity`` to the likelihood the campaign's source gives (None: the policy's
        default), ``c.learned`` and ``c.evidence`` to the learned figure and the group's
        presentations (for the reason), and ``c.sampled`` when this decision explores."""
        campaign = c.campaign
        if not uses_learning(campaign):
            return
        if self._table is None:
            self._table = table()
        file = c.propensity  # the member's propensity from the target-group file, or None
        found = self._table.get((c.offer.pk, self.kind, self.segment, self.tier))
        if found is not None:
            alpha, beta = found.parameters(file)
            learned = posterior_mean(alpha, beta, fallback=found.prior if file is None else file)
            c.learned, c.evidence = learned, found.presented
        else:  # no evidence yet: the prior is all there is
            learned = file
        source = campaign.propensity_source
        if source == PropensitySource.LEARNED:
            c.propensity = learned
        elif source == PropensitySource.BLENDED and learned is not None:
            c.propensity = ((self.default if file is None else file) + learned) / 2
        if not c.is_control and self._exploring(campaign):
            if found is None:
                prior = self.default if file is None else file
                alpha, beta = beta_parameters(prior, _weight(), 0, 0)
            sample = thompson(alpha, beta, rng)
            if source == PropensitySource.BLENDED:
                sample = ((self.default if file is None else file) + sample) / 2
            c.sampled = sample


def _weight() -> float:
    return float(settings.CVM_LEARNING_PRIOR_WEIGHT)
