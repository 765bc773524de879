"""The next-best-offer decision: one function for the console, the API and the outbound lists.

``decide`` gathers the candidates (offers of live campaigns in the channel kind whose active
target-group version holds the customer), removes those a named filter excludes (each
exclusion is kept, so "why not?" can be answered), arbitrates (propensity × value ×
priority, each with its weight; one offer per product family; the propensity is the file's,
the learned or a blend, as the campaign chooses: ``campaigns.learning.serving``), records the decision with
its presentations, and returns the top offers with a plain-language reason each.
Control-group members get no offers; their held-out presentations are recorded so the
uplift can be measured.

What the database is asked — the customer's memberships and history, the write of the
decision — goes through ``campaigns.store``, which picks PostgreSQL's fast path (one prepared
statement to read, one to write) or the portable ORM path; this module reads as one path.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from campaigns import channel_registry

from . import catalogue, context, reasons, store, training_gate
from .candidates import Candidate, Result
from .choices import CONTACT_OUTCOMES, Exclusion, Outcome, ProductFamily
from .control import is_control, threshold
from .fields import channel_kind_lookup
from .learning import serving as learning
from .models import (
    Campaign,
    ContactPolicy,
    Customer,
    Decision,
    Presentation,
)
from .training_gate import register as register_training_gate  # noqa: F401 - its first home


def _candidates(
    customer: Customer,
    kind: str,
    today: date,
    live: list[catalogue.LiveCampaign],
    memberships: list[store.Membership],
) -> list[Candidate]:
    """The offers that could be shown: those of the live campaigns in this channel kind whose
    active version holds the customer (``memberships``), plus the always-on campaigns whose
    rule the customer matches on ``today`` (the local date). Campaigns, offers and rules come
    from the in-memory catalogue."""
    by_version = {lc.version_id: lc for lc in live if lc.version_id is not None}
    members = {by_version[m.version_id].campaign.pk: m for m in memberships}
    candidates: list[Candidate] = []
    for lc in live:
        member = members.get(lc.campaign.pk)
        rule = lc.rule if member is None and lc.rule is not None else None
        if member is None and (rule is None or not rule.matches(customer, today)):
            continue
        # A member's version froze the code and share; an always-on offer uses the campaign's.
        code, share = (
            lc.control if member is not None else (lc.campaign.code, lc.campaign.control_share)
        )
        if member is not None and member.bucket is not None:  # the store worked it out
            held_out = member.bucket < threshold(share)
        else:
            held_out = is_control(customer.external_id, code, share)
        for offer in lc.offers:
            if not offer.is_for(kind):
                continue
            if member is not None:
                if member.offer_code is not None and offer.code != member.offer_code:
                    continue
                candidates.append(
                    Candidate(
                        offer=offer,
                        campaign=lc.campaign,
                        propensity=member.propensity,
                        value=member.expected_value
                        if member.expected_value is not None
                        else offer.annual_value,
                        is_control=held_out,
                        customer=customer,
                        member_reason=member.reason,
                    )
                )
            else:
                candidates.append(
                    Candidate(
                        offer=offer,
                        campaign=lc.campaign,
                        propensity=None,
                        value=offer.annual_value,
                        is_control=held_out,
                        rule=rule,
                        customer=customer,
                    )
                )
    return candidates


def _history(customer: Customer, policy: ContactPolicy, now, rows=None) -> dict:
    """What the contact policy needs to know about this customer's past: from ``rows`` (as
    store.RESPONSE_COLUMNS) when the caller has them, otherwise from one query."""
    last_by_campaign: dict[int, object] = {}
    recent: list = []  # when the contacts in the policy's window were, oldest first
    accepted: set[int] = set()
    declines: dict[int, tuple] = {}  # offer id → (until: None for good, declined at)
    window_start = now - timedelta(days=policy.window_days)
    if rows is None:
        rows = store.contact_history([customer.pk], now).get(customer.pk, [])
    for campaign_id, offer_id, outcome, recorded_at, days in rows:
        if outcome not in CONTACT_OUTCOMES:
            continue
        if campaign_id not in last_by_campaign or recorded_at > last_by_campaign[campaign_id]:
            last_by_campaign[campaign_id] = recorded_at
        if recorded_at >= window_start:
            recent.append(recorded_at)
        if outcome == Outcome.ACCEPTED:
            accepted.add(offer_id)
        elif outcome == Outcome.DECLINED:
            until = None if days is None else recorded_at + timedelta(days=days)  # None: for good
            kept = declines[offer_id][0] if offer_id in declines else None
            if offer_id not in declines or until is None or (kept is not None and until > kept):
                declines[offer_id] = (until, recorded_at)
    return {
        "last_by_campaign": last_by_campaign,
        "recent": sorted(recent),
        "accepted": accepted,
        "declines": declines,
    }


class _Filters:
    """The contact policy's filters for one customer in one channel kind at ``now``: what is the
    same for all of a decision's candidates (do-not-contact, consent, the contact cap) is
    worked out once, not once per candidate."""

    def __init__(self, customer: Customer, kind: str, policy: ContactPolicy, history: dict, now):
        self.customer, self.kind, self.now = customer, kind, now
        self.consent = customer.may_be_contacted_in(kind)
        self.holdings = frozenset(customer.holdings or ())
        self.accepted, self.declines = history["accepted"], history["declines"]
        self.last_by_campaign = history["last_by_campaign"]
        recent = history["recent"]
        self.capped = None
        if len(recent) >= policy.max_contacts:
            n, days = len(recent), policy.window_days
            # Free again once enough of the window's contacts have left it.
            freed = recent[len(recent) - policy.max_contacts] + timedelta(days=days)
            self.capped = (
                Exclusion.CONTACT_CAP,
                lambda: (
                    ngettext(
                        "Already contacted %(n)d times in %(days)d day (the limit).",
                        "Already contacted %(n)d times in %(days)d days (the limit).",
                        days,
                    )
                    % {"n": n, "days": days}
                ),
                freed,
            )

    def __call__(self, c: Candidate):
        """The first filter that excludes ``c``, with a sentence for people (a function that
        writes it: ``Candidate.explained``), and when that ends (None: not by itself) and the
        contact it counts from: (code, sentence, available from, since), or just (code,
        sentence); None if the candidate passes."""
        offer, now = c.offer, self.now
        if not offer.is_valid_at(now):
            return (
                Exclusion.NOT_VALID,
                lambda: _("%(offer)s is not valid today.") % {"offer": offer.title},
                offer.valid_from if offer.valid_from > now else None,
            )
        if not self.consent:
            if self.customer.do_not_contact:
                return Exclusion.DO_NOT_CONTACT, lambda: _(
                    "The customer asked not to be contacted."
                )
            return (
                Exclusion.NO_CONSENT,
                lambda: (
                    _("No consent for offers in %(kind)s.")
                    % {"kind": channel_registry.label(self.kind)}
                ),
            )
        product = offer.product
        if product.code in self.holdings:
            return (
                Exclusion.ALREADY_HOLDS,
                lambda: _("Already has %(product)s.") % {"product": product.name},
            )
        offer_id = offer.id
        if offer_id in self.accepted:
            return (
                Exclusion.ALREADY_ACCEPTED,
                lambda: _("Already accepted %(offer)s.") % {"offer": offer.title},
            )
        if offer_id in self.declines:
            until, declined_at = self.declines[offer_id]
            if until is None or until > now:

                def declined() -> str:
                    when = (
                        _("for good")
                        if until is None
                        else _("until %(date)s") % {"date": timezone.localtime(until).date()}
                    )
                    return _("Declined; not offered again %(when)s.") % {"when": when}

                return Exclusion.DECLINED_RECENTLY, declined, until, declined_at
        campaign = c.campaign
        last = self.last_by_campaign.get(campaign.id)
        if last is not None and last > now - timedelta(days=campaign.cooldown_days):
            return (
                Exclusion.COOLDOWN,
                lambda: (
                    ngettext(
                        "Contacted for %(campaign)s on %(date)s; the cooldown is %(days)d day.",
                        "Contacted for %(campaign)s on %(date)s; the cooldown is %(days)d days.",
                        campaign.cooldown_days,
                    )
                    % {
                        "campaign": campaign.name,
                        "date": timezone.localtime(last).date(),
                        "days": campaign.cooldown_days,
                    }
                ),
                last + timedelta(days=campaign.cooldown_days),
                last,
            )
        if self.capped is not None:
            return self.capped
        return context.exclusion(c)  # the intent the request stated (campaigns.context)


def _score(c: Candidate, policy: ContactPolicy) -> float:
    return arbitration_score(
        propensity=c.propensity if c.sampled is None else c.sampled,
        value=c.value,
        priority_weight=c.campaign.priority_weight,
        policy=policy,
    )


def arbitration_score(*, propensity, value, priority_weight, policy: ContactPolicy) -> float:
    """propensity^a × value^b × priority^c with the weights CVM managers set in the policy;
    a missing propensity is the policy's default. The console's ranking and the call lists'."""
    if propensity is None:
        propensity = policy.default_propensity
    return (
        (max(propensity, 0.0) ** policy.propensity_weight)
        * (max(float(value), 0.0) ** policy.value_weight)
        * (float(priority_weight) ** policy.priority_weight)
    )


def decide(
    *,
    customer: Customer,
    channel_kind: str,
    agent=None,
    site_id: int | None = None,
    now=None,
    reuse_within: timedelta | None = None,
    context=None,  # what the customer is doing (campaigns.context): a dict or DecisionContext
    audit: dict | None = None,  # an audit event written with the decision (cvm_portal.audit.access)
) -> Result:
    """The next-best-offers for ``customer`` in ``channel_kind`` right now, recorded as one decision.

    One contact, one decision: given ``reuse_within``, the decision ``agent`` made for this
    customer in this channel kind within that time, if there is one, is given again and
    nothing new is recorded (``Result.reused``; see ``_reused``)."""
    if not channel_registry.is_known(channel_kind):
        raise ValueError(f"unknown channel kind {channel_kind!r}")
    now = now or timezone.now()
    if reuse_within is not None and agent is not None:
        earlier = (
            Decision.objects.filter(
                customer=customer,
                created_at__gte=now - reuse_within,
                agent=agent,
                channel_kind=channel_kind,
            )
            .order_by("-created_at")  # decision_customer_idx: the customer's latest first
            .first()
        )
        if earlier is not None:
            earlier.customer = customer
            reused = _reused(earlier, agent, now)
            if reused is not None:
                return reused
    result = _arbitrate(customer, channel_kind, agent, now, context)
    result.decision.site_id = site_id
    presentations = []
    for rank, c in enumerate([*result.offers, *result.held_out], start=1):
        c.presentation = Presentation.new(
            decision=result.decision,
            offer=c.offer,
            campaign=c.campaign,
            rank=rank,
            score=c.score,
            reason=c.reason,
            held_out=c.is_control,
            propensity=c.propensity,
        )
        presentations.append(c.presentation)
    # PostgreSQL, the decision being its own transaction: one statement, committed without
    # waiting for the disk flush (about 4 ms here); inside a caller's transaction, or on
    # SQLite, the ORM writes it.
    store.record_decision(result.decision, presentations, audit)
    return result


def _mark(c: Candidate, code: Exclusion, explanation, available_from=None, since=None):
    """``c`` excluded by ``code``; ``explanation``: its sentence, or a function that writes it."""
    c.excluded, c.explained, c.available_from, c.since = code, explanation, available_from, since


def _held_out(c: Candidate) -> None:
    _mark(
        c,
        Exclusion.CONTROL_GROUP,
        _("In the control group of %(campaign)s.") % {"campaign": c.campaign.name},
    )


def _arbitrate(customer: Customer, channel_kind: str, agent, now, said=None) -> Result:
    """What a decision would show now, and why each other candidate is not shown; records
    nothing (the decision and its presentations are not saved)."""
    snapshot = catalogue.current()
    policy = snapshot.policy
    live = snapshot.live_campaigns(channel_kind, now)
    memberships, responses = store.decision_facts(
        customer, [lc.version_id for lc in live if lc.version_id is not None], now
    )
    history = _history(customer, policy, now, responses)
    result = Result(
        decision=Decision.new(customer=customer, channel_kind=channel_kind, agent=agent)
    )
    passing: list[Candidate] = []
    today = timezone.localdate(now)  # once: the rules' and the reasons' day
    candidates = _candidates(customer, channel_kind, today, live, memberships)
    candidates = context.attach(said, result.decision, candidates)  # the request's context
    untrained = training_gate.untrained(agent, candidates)
    # The campaign's likelihood (file, learned, blended; maybe explored), from memory.
    assessor = learning.Assessor(channel_kind, customer, policy.default_propensity)
    exclusion = _Filters(customer, channel_kind, policy, history, now)
    for c in candidates:
        excluded = exclusion(c)
        if not excluded and c.campaign.pk in untrained:
            excluded = (
                Exclusion.TRAINING_REQUIRED,
                training_gate.explanation(c.campaign, untrained[c.campaign.pk]),
            )
        if excluded:
            _mark(c, *excluded)
            result.excluded.append(c)
            continue
        assessor.assess(c)
        c.score = _score(c, policy) * context.boost(c, policy)
        passing.append(c)
    passing.sort(key=lambda c: (-c.score, c.offer.code))
    families: dict[str, bool] = {}  # the product families taken → whether a held-out offer took it
    limit = policy.offers_for(channel_kind)
    for c in passing:
        if c.offer.product.family in families:
            _mark(
                c,
                Exclusion.SAME_FAMILY,
                lambda c=c: (
                    _("A better %(family)s offer is shown.")
                    % {"family": str(ProductFamily(c.offer.product.family).label).lower()}
                ),
            )
            c.tells_of_control = families[c.offer.product.family]
            result.excluded.append(c)
            continue
        if len(result.offers) + len(result.held_out) >= limit:
            _mark(c, Exclusion.OVER_LIMIT, lambda: _("Not among the top %(n)d.") % {"n": limit})
            c.tells_of_control = bool(result.held_out)
            result.excluded.append(c)
            continue
        families[c.offer.product.family] = c.is_control
        (result.held_out if c.is_control else result.offers).append(c)
    for c in result.held_out:
        _held_out(c)
    # Only what is recorded needs its reason (a sentence costs more than the arbitration).
    language = get_language()
    for c in (*result.offers, *result.held_out):
        c.reason = reasons.reason_for(c, today=today, language=language)
    return result


def _reused(decision: Decision, agent, now) -> Result | None:
    """``decision`` again, as it was shown, with the outcomes recorded on it so far
    (``Result.recorded``), less the offers whose campaign or offer has stopped since (a kill
    switch holds at once). Its exclusions are those of a dry run now, which records nothing
    and counts the outcomes recorded since. One query besides the dry run's.

    None when the agent has since passed the training a campaign needed (the dry run shows a
    training-required campaign the decision did not): the offers they trained for are due."""
    customer, kind = decision.customer, decision.channel_kind
    now_result = _arbitrate(customer, kind, agent, now)
    shown = list(decision.presentations.select_related("response__decline_reason"))
    shown_then = {p.campaign_id for p in shown}
    if any(
        c.campaign.training_required and c.campaign.pk not in shown_then for c in now_result.offers
    ):
        return None
    live = {lc.campaign.pk: lc for lc in catalogue.current().live_campaigns(kind, now)}
    result = Result(decision=decision, reused=True)
    presented: set[int] = set()
    for p in shown:
        presented.add(p.offer_id)
        lc = live.get(p.campaign_id)
        offer = next((o for o in lc.offers if o.pk == p.offer_id), None) if lc else None
        if offer is None or not offer.is_for(kind) or not offer.is_valid_at(now):
            continue
        if not customer.may_be_contacted_in(kind):  # consent withdrawn since: holds at once
            presented.discard(p.offer_id)  # ...and "why not" says so
            continue
        p.offer, p.campaign = offer, lc.campaign
        c = Candidate(
            offer=offer,
            campaign=lc.campaign,
            propensity=None,
            value=offer.annual_value,
            is_control=p.held_out,
            score=p.score,
            reason=p.reason,
            presentation=p,
            customer=customer,
        )
        if p.held_out:
            _held_out(c)
            result.held_out.append(c)
            continue
        result.offers.append(c)
        if hasattr(p, "response"):  # read with the presentations: no query
            result.recorded[p.pk] = p.response
    result.excluded = [c for c in now_result.excluded if c.offer.pk not in presented]
    return result


def policy_exclusion(
    *,
    customer: Customer,
    campaign: Campaign,
    channel_kind: str,
    offer_id=None,
    now=None,
    history: list | None = None,
) -> tuple[Exclusion, str] | None:
    """Whether the contact policy lets ``campaign`` reach ``customer`` in ``channel_kind`` now.

    None if at least one of the campaign's offers (only ``offer_id`` when given) passes the
    same filters ``decide`` applies; otherwise the first filter that stopped it, with its
    sentence. Records nothing: the outbound lists ask this before a call is dialled.
    ``history``: the customer's contact-history rows up to ``now`` when the caller read them
    (``store.contact_history`` for many customers at once); otherwise they are read here.
    """
    now = now or timezone.now()
    policy = catalogue.current().policy
    history = _history(customer, policy, now, rows=history)
    offers = (
        campaign.offers.filter(**channel_kind_lookup(channel_kind))
        .select_related("product")
        .order_by("code")
    )
    if offer_id is not None:
        offers = offers.filter(pk=offer_id)
    return _first_exclusion(offers, campaign, customer, channel_kind, policy, history, now)


def dial_time_exclusion(
    *, customer: Customer, campaign_id: int, channel_kind: str, offer_id, history: list, now
) -> tuple[Exclusion, str] | None:
    """``policy_exclusion`` for a caller that read the customer and their history rows itself
    (the outbound claim, in its own statement): the campaign, its offers and the policy come
    from this process's catalogue, so the check asks the database nothing more. A campaign
    the catalogue does not hold (no longer live) is asked of the database as before."""
    snapshot = catalogue.current()
    live = next((lc for lc in snapshot.campaigns if lc.campaign.pk == campaign_id), None)
    if live is None:
        return policy_exclusion(
            customer=customer,
            campaign=Campaign.objects.get(pk=campaign_id),
            channel_kind=channel_kind,
            offer_id=offer_id,
            now=now,
        )
    offers = [
        o for o in live.offers if o.is_for(channel_kind) and (offer_id is None or o.pk == offer_id)
    ]
    policy = snapshot.policy
    return _first_exclusion(
        offers,
        live.campaign,
        customer,
        channel_kind,
        policy,
        _history(customer, policy, now, rows=history),
        now,
    )


def _first_exclusion(offers, campaign, customer, channel_kind, policy, history, now):
    first = None
    exclusion = _Filters(customer, channel_kind, policy, history, now)
    for offer in offers:
        candidate = Candidate(
            offer=offer, campaign=campaign, propensity=None, value=Decimal(0), is_control=False
        )
        excluded = exclusion(candidate)
        if excluded is None:
            return None
        if first is None:
            code, sentence = excluded[:2]
            first = (code, sentence() if callable(sentence) else sentence)
    return first or (
        Exclusion.NOT_VALID,
        _("%(campaign)s has no offer for %(kind)s.")
        % {"campaign": campaign.name, "kind": channel_registry.label(channel_kind)},
    )
