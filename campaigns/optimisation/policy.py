"""The support-routing policy: saving a new version (from the what-if) and answering which
support options a customer is offered (the API for digital channels and the console header)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from campaigns.models import Customer, SupportOption, SupportRoutingPolicy, SupportRoutingRule

# The active policy's rules, shared by every process through the cache: the console header and
# the API ask on every customer, the policy changes a few times a year. Forgotten at once when a
# policy or rule is saved in a process (signals below); elsewhere within CACHE_SECONDS.
CACHE_KEY = "support-routing-policy:v1"
CACHE_SECONDS = 300

# What a what-if's to-channel suggests offering (the manager chooses before saving).
SUGGESTED_FOR_CHANNEL = {
    "inbound_call": [SupportOption.AGENT],
    "store": [SupportOption.AGENT],
    "field": [SupportOption.AGENT],
    "outbound_call": [SupportOption.CALL_BACK],
    "chatbot": [SupportOption.CHAT],
}


def suggested_options(to_channel: str) -> list[str]:
    return [str(o) for o in SUGGESTED_FOR_CHANNEL.get(to_channel, [SupportOption.SELF_SERVICE])]


@dataclass(frozen=True)
class RuleChange:
    segment: str
    tier: str  # "" = every tier
    preferred_channel: str  # "" = everyone
    options: list[str]


@transaction.atomic
def save_policy(
    *, user, name: str, changes: list[RuleChange], scenario: dict, note: str = ""
) -> SupportRoutingPolicy:
    """A new active version: the active one's rules with ``changes`` applied (a change replaces
    the rule of the same segment, tier and preferred channel); the active one is retired."""
    now = timezone.now()
    previous = SupportRoutingPolicy.objects.select_for_update().filter(is_active=True).first()
    rules: dict[tuple[str, str, str], list[str]] = {}
    if previous is not None:
        for r in previous.rules.all():
            rules[(r.segment, r.value_tier, r.preferred_channel)] = list(r.options)
        previous.is_active = False
        previous.retired_at = now
        previous.save(update_fields=["is_active", "retired_at"])
    for change in changes:
        rules[(change.segment, change.tier, change.preferred_channel)] = list(change.options)
    version = (SupportRoutingPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    policy = SupportRoutingPolicy.objects.create(
        version=version,
        name=name,
        note=note,
        scenario=scenario,
        is_active=True,
        activated_at=now,
        created_by=user,
    )
    SupportRoutingRule.objects.bulk_create(
        SupportRoutingRule(
            policy=policy, segment=s, value_tier=t, preferred_channel=p, options=options
        )
        for (s, t, p), options in sorted(rules.items())
    )
    return policy


@receiver([post_save, post_delete], sender=SupportRoutingPolicy, dispatch_uid="forget-policy")
@receiver([post_save, post_delete], sender=SupportRoutingRule, dispatch_uid="forget-policy")
def _forget(**_kwargs) -> None:
    """A policy or rule changed: the cached rules are forgotten now and again once the change
    is committed (another process may have cached the old rules in between)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def active_rules() -> dict:
    """{"version": the active version or None, "rules": {segment: [[tier, preferred channel,
    options]]}}, from the cache when it holds it (one query otherwise)."""
    held = cache.get(CACHE_KEY)
    if held is not None:
        return held
    policy = SupportRoutingPolicy.objects.filter(is_active=True).prefetch_related("rules").first()
    held = {"version": None, "rules": {}}
    if policy is not None:
        held["version"] = policy.version
        for r in policy.rules.all():
            held["rules"].setdefault(r.segment, []).append(
                [r.value_tier, r.preferred_channel, list(r.options)]
            )
    cache.set(CACHE_KEY, held, CACHE_SECONDS)
    return held


def options_for(customer: Customer) -> tuple[int | None, list[str]]:
    """(the active policy's version, the options it gives ``customer``): an exception for the
    customer's preferred channel first (their tier's, then the segment's), then their tier's
    rule, then the segment's. No policy or no rule: (version or None, [])."""
    held = active_rules()
    if held["version"] is None:
        return None, []
    rules = {
        (tier, pref): options for tier, pref, options in held["rules"].get(customer.segment, [])
    }
    preferred = customer.preferred_channel
    order = []
    if preferred:
        order += [(customer.value_tier, preferred), ("", preferred)]
    order += [(customer.value_tier, ""), ("", "")]
    for key in order:
        if key in rules:
            return held["version"], list(rules[key])
    return held["version"], []


def option_label(code: str) -> str:
    try:
        return str(SupportOption(code).label)
    except ValueError:
        return code
