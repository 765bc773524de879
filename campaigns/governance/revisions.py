"""Revisions of approved campaigns: propose a change, approve it (four eyes) or reject it.

The approved version keeps serving every channel while a revision is pending: nothing here
writes to a campaign, offer, content or rule until ``approve``. Approval applies the whole
revision in one transaction through ordinary ``save()`` calls, so the catalogue gets a new
stamp (campaigns.catalogue) and the history records the change with its before/after.

An offer shared by several approved campaigns: a change of it is a revision of the *first*
such campaign by code (``governing_campaign``); the diff names the other campaigns that use
the offer, so the approver sees that the change reaches them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import channel_registry
from cvm_portal import formatting as fmt
from cvm_portal.audit import record_access

from ..choices import CampaignStatus
from ..models import (
    Campaign,
    CampaignRevision,
    EligibilityRule,
    Offer,
    OfferContent,
    RevisionStatus,
)
from .four_eyes import approval_refusal
from .history import REVISION_REASON_PREFIX, editors_since

# Statuses in which a campaign is not edited in place.
GOVERNED = (CampaignStatus.APPROVED, CampaignStatus.LIVE, CampaignStatus.PAUSED)

CAMPAIGN_FIELDS = (
    "name", "objective", "description", "starts_at", "ends_at", "channel_kinds",
    "priority_weight", "control_share", "cooldown_days", "attribution_days", "training_required",
    "propensity_source", "exploration_share",
)  # fmt: skip
RULE_FIELDS = (
    "segments",
    "value_tiers",
    "min_tenure_months",
    "max_tenure_months",
    "requires_product",
)
# Offers and contents: every editable field but these, so fields added later (channel texts,
# translations) are governed too.
_OFFER_FIXED = {"id", "code", "product", "created_at", "updated_at"}
_CONTENT_FIXED = {"id", "offer", "channel_kind"}


def offer_fields() -> list[str]:
    return [
        f.name for f in Offer._meta.concrete_fields if f.editable and f.name not in _OFFER_FIXED
    ]


def content_fields() -> list[str]:
    return [
        f.name
        for f in OfferContent._meta.concrete_fields
        if f.editable and f.name not in _CONTENT_FIXED
    ]


def is_governed(campaign: Campaign) -> bool:
    """Whether edits of ``campaign`` become revisions instead of changing it in place."""
    return campaign.status in GOVERNED


def governing_campaign(offer: Offer) -> Campaign | None:
    """The campaign whose revision an edit of ``offer`` becomes: the first approved, live or
    paused campaign using it, by code; None when no such campaign uses it."""
    return offer.campaigns.filter(status__in=GOVERNED).order_by("code").first()


# ---- values as JSON and back ------------------------------------------------------------


def _dump(model: type[models.Model], name: str, obj: models.Model):
    field = model._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname)
    value = field.value_from_object(obj)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "name") and isinstance(field, models.FileField):
        return value.name or ""
    return value


def _load(model: type[models.Model], name: str, obj: models.Model, value) -> None:
    field = model._meta.get_field(name)
    if field.is_relation or isinstance(field, models.JSONField):
        setattr(obj, field.attname, value)
    else:
        setattr(obj, field.attname, field.to_python(value))


def _values(model, names, obj) -> dict:
    return {name: _dump(model, name, obj) for name in names}


def _content_key(offer_id: int, kind: str) -> str:
    return f"{offer_id}/{kind}"


def approved_values(campaign: Campaign, changes: dict) -> dict:
    """The values the keys of ``changes`` have in the approved (live) version; None for an
    offer content or rule that does not exist yet."""
    before: dict = {}
    if "campaign" in changes:
        names = [n for n in changes["campaign"] if n != "offers"]
        before["campaign"] = _values(Campaign, names, campaign)
        if "offers" in changes["campaign"]:
            before["campaign"]["offers"] = sorted(campaign.offers.values_list("pk", flat=True))
    if "offers" in changes:
        found = Offer.objects.in_bulk([int(k) for k in changes["offers"]])
        before["offers"] = {
            key: _values(Offer, list(fields), found[int(key)])
            for key, fields in changes["offers"].items()
            if int(key) in found
        }
    if "contents" in changes:
        before["contents"] = {}
        for key, fields in changes["contents"].items():
            offer_id, kind = key.split("/", 1)
            content = OfferContent.objects.filter(offer_id=offer_id, channel_kind=kind).first()
            before["contents"][key] = (
                None if content is None else _values(OfferContent, list(fields or {}), content)
            )
    if "rule" in changes:
        rule = EligibilityRule.objects.filter(campaign=campaign).first()
        before["rule"] = (
            None if rule is None else _values(EligibilityRule, list(changes["rule"] or {}), rule)
        )
    return before


def _merge(old: dict, new: dict) -> dict:
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in old.items()}
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# ---- writes -------------------------------------------------------------------------------


@transaction.atomic
def propose(*, campaign: Campaign, by: AbstractBaseUser, changes: dict) -> CampaignRevision:
    """Record ``changes`` (the shape ``CampaignRevision`` documents) as the campaign's pending
    revision, merged into the one already pending if there is one; the live data stays as is."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    revision = CampaignRevision.objects.pending().filter(campaign=campaign).first()
    if revision is None:
        number = (campaign.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = CampaignRevision(campaign=campaign, number=number, proposed_by=by)
    elif by.pk != revision.proposed_by_id and by.pk not in revision.editor_ids:
        revision.editor_ids = [*revision.editor_ids, by.pk]
    revision.changes = _merge(revision.changes or {}, changes)
    revision.before = approved_values(campaign, revision.changes)
    revision.save()
    record_access(
        user=by, action="revision_propose", obj=campaign, detail=f"revision #{revision.number}"
    )
    return revision


def _refuse_if_decided(revision: CampaignRevision) -> None:
    if not revision.is_pending:
        raise ValidationError(
            _("Revision #%(n)s is already %(status)s.")
            % {"n": revision.number, "status": revision.get_status_display()}
        )


def _mark(obj: models.Model, by, reason: str) -> None:
    """Who made the history record and why (simple-history reads these attributes)."""
    obj._history_user = by
    obj._change_reason = reason


def _apply(revision: CampaignRevision, by) -> None:
    changes = revision.changes
    reason = f"{REVISION_REASON_PREFIX}{revision.number}"
    campaign = revision.campaign
    fields = dict(changes.get("campaign") or {})
    offer_ids = fields.pop("offers", None)
    if fields:
        for name, value in fields.items():
            _load(Campaign, name, campaign, value)
        _mark(campaign, by, reason)
        campaign.full_clean(exclude=["code", "offers"])
        campaign.save()
    if offer_ids is not None:
        _mark(campaign, by, reason)
        campaign.offers.set(offer_ids)
    for key, values in (changes.get("offers") or {}).items():
        offer = Offer.objects.select_for_update().get(pk=int(key))
        for name, value in values.items():
            _load(Offer, name, offer, value)
        _mark(offer, by, reason)
        offer.full_clean(exclude=["code"])
        offer.save()
    for key, values in (changes.get("contents") or {}).items():
        offer_id, kind = key.split("/", 1)
        content = OfferContent.objects.filter(offer_id=offer_id, channel_kind=kind).first()
        if values is None:
            if content is not None:
                _mark(content, by, reason)
                content.delete()
            continue
        content = content or OfferContent(offer_id=int(offer_id), channel_kind=kind)
        for name, value in values.items():
            _load(OfferContent, name, content, value)
        _mark(content, by, reason)
        content.full_clean()
        content.save()
    if "rule" in changes:
        rule = EligibilityRule.objects.filter(campaign=campaign).first()
        if changes["rule"] is None:
            if rule is not None:
                _mark(rule, by, reason)
                rule.delete()
        else:
            rule = rule or EligibilityRule(campaign=campaign)
            for name, value in changes["rule"].items():
                _load(EligibilityRule, name, rule, value)
            _mark(rule, by, reason)
            rule.full_clean()
            rule.save()


@transaction.atomic
def approve(*, revision: CampaignRevision, by: AbstractBaseUser, comment: str = "") -> None:
    """Apply ``revision`` to the live data, if ``by`` may approve it (four eyes: not its
    proposer, not anyone who added to it or changed the campaign since it was proposed)."""
    revision = (
        CampaignRevision.objects.select_for_update().select_related("campaign").get(pk=revision.pk)
    )
    _refuse_if_decided(revision)
    campaign = Campaign.objects.select_for_update().get(pk=revision.campaign_id)
    revision.campaign = campaign
    editors = set(revision.editor_ids) | editors_since(campaign, revision.proposed_at)
    refusal = approval_refusal(by, author_id=revision.proposed_by_id, editor_ids=editors)
    if refusal:
        raise ValidationError(refusal)
    revision.before = approved_values(campaign, revision.changes)
    _apply(revision, by)
    revision.status = RevisionStatus.APPROVED
    revision.decided_by = by
    revision.decided_at = timezone.now()
    revision.comment = comment.strip()
    revision.save()
    record_access(
        user=by, action="revision_approve", obj=campaign, detail=f"revision #{revision.number}"
    )


@transaction.atomic
def reject(*, revision: CampaignRevision, by: AbstractBaseUser, comment: str) -> None:
    """Close ``revision`` without applying it: rejected (a comment is required), or withdrawn
    when its proposer closes it."""
    revision = (
        CampaignRevision.objects.select_for_update().select_related("campaign").get(pk=revision.pk)
    )
    _refuse_if_decided(revision)
    withdrawn = by.pk == revision.proposed_by_id
    if not withdrawn:
        refusal = approval_refusal(by, author_id=None, editor_ids=())
        if refusal:
            raise ValidationError(refusal)
        if not comment.strip():
            raise ValidationError(_("Say why you reject it: the proposer reads your comment."))
    revision.status = RevisionStatus.WITHDRAWN if withdrawn else RevisionStatus.REJECTED
    revision.decided_by = by
    revision.decided_at = timezone.now()
    revision.comment = comment.strip()
    revision.save()
    record_access(
        user=by,
        action="revision_withdraw" if withdrawn else "revision_reject",
        obj=revision.campaign,
        detail=f"revision #{revision.number}",
    )


# ---- display ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One changed value: where it lives, its label, the approved value and the proposed one."""

    where: str
    label: str
    before: str
    after: str


def _label(model, name: str) -> str:
    if name == "offers":
        return str(Campaign._meta.get_field("offers").verbose_name)
    return str(model._meta.get_field(name).verbose_name)


def _show(model, name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    field = model._meta.get_field(name) if name != "offers" else None
    if name == "offers":
        codes = dict(Offer.objects.filter(pk__in=value).values_list("pk", "code"))
        return ", ".join(codes.get(pk, f"#{pk}") for pk in value)
    if isinstance(field, models.DateTimeField):
        parsed = field.to_python(value)
        return fmt.datetime(parsed) if parsed else "—"
    if isinstance(field, models.DateField):
        return fmt.date(field.to_python(value)) or "—"
    if field is not None and field.is_relation:
        target = field.related_model.objects.filter(pk=value).first()
        return str(target) if target else f"#{value}"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if model is Offer and name == "value":  # the offer's monthly value is money
        return fmt.money(field.to_python(value))
    if isinstance(field, (models.DecimalField, models.FloatField, models.IntegerField)):
        return fmt.number(field.to_python(value), -2)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def diff(revision: CampaignRevision) -> list[DiffRow]:
    """What ``revision`` changes, value by value: against the approved version as it is now
    while pending, against what it replaced once decided."""
    changes = revision.changes
    before = approved_values(revision.campaign, changes) if revision.is_pending else revision.before
    rows: list[DiffRow] = []
    where = _("Campaign")
    for name, value in (changes.get("campaign") or {}).items():
        old = (before.get("campaign") or {}).get(name)
        rows.append(
            DiffRow(
                where,
                _label(Campaign, name),
                _show(Campaign, name, old),
                _show(Campaign, name, value),
            )
        )
    offers = Offer.objects.in_bulk([int(k) for k in changes.get("offers") or {}])
    for key, values in (changes.get("offers") or {}).items():
        offer = offers.get(int(key))
        where = _("Offer %(code)s") % {"code": offer.code if offer else key}
        old_values = (before.get("offers") or {}).get(key) or {}
        for name, value in values.items():
            rows.append(
                DiffRow(
                    where,
                    _label(Offer, name),
                    _show(Offer, name, old_values.get(name)),
                    _show(Offer, name, value),
                )
            )
    content_offers = Offer.objects.in_bulk(
        [int(k.split("/", 1)[0]) for k in changes.get("contents") or {}]
    )
    for key, values in (changes.get("contents") or {}).items():
        offer_id, kind = key.split("/", 1)
        offer = content_offers.get(int(offer_id))
        kind_label = channel_registry.label(kind)
        where = f"{offer.code if offer else offer_id} · {kind_label}"
        old_values = (before.get("contents") or {}).get(key) or {}
        if values is None:
            rows.append(DiffRow(where, _("content"), _("present"), _("removed")))
            continue
        for name, value in values.items():
            rows.append(
                DiffRow(
                    where,
                    _label(OfferContent, name),
                    _show(OfferContent, name, old_values.get(name)),
                    _show(OfferContent, name, value),
                )
            )
    if "rule" in changes:
        where = str(EligibilityRule._meta.verbose_name)
        if changes["rule"] is None:
            rows.append(DiffRow(where, _("rule"), _("present"), _("removed")))
        else:
            old_values = before.get("rule") or {}
            for name, value in changes["rule"].items():
                rows.append(
                    DiffRow(
                        where,
                        _label(EligibilityRule, name),
                        _show(EligibilityRule, name, old_values.get(name)),
                        _show(EligibilityRule, name, value),
                    )
                )
    return rows


def also_used_by(revision: CampaignRevision) -> list[str]:
    """Codes of the other campaigns using an offer this revision changes: they see the change
    too once it is approved."""
    offer_ids = {int(k) for k in revision.changes.get("offers") or {}} | {
        int(k.split("/", 1)[0]) for k in revision.changes.get("contents") or {}
    }
    if not offer_ids:
        return []
    return list(
        Campaign.objects.filter(offers__in=offer_ids)
        .exclude(pk=revision.campaign_id)
        .exclude(status=CampaignStatus.ENDED)
        .values_list("code", flat=True)
        .distinct()
        .order_by("code")
    )
