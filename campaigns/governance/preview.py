"""The preview of a campaign per channel: what each channel would show a sample member of its
target group, measured against the channel's limits, before anyone approves it.

Read-only on purpose: no decision, presentation or contact is made (a preview must never
count as a contact nor spend a member's cooldown). The reason under "Why" is built by the same
function the decisioning uses (``campaigns.reasons``), from the member's own reason when the
warehouse gave one; the agent's bonus line comes from the delivery side, which registers how
to estimate it (``register_bonus_estimate``: campaigns never import channels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import channel_registry

from ..choices import OUTBOUND_CHANNEL_KINDS, ChannelKind, Segment, ValueTier
from ..decisioning import Candidate
from ..formats import Measured, limit_message, measure, sms_parts
from ..models import Campaign, Customer, OfferContent, TargetGroup, TargetGroupMember
from ..models.core import contactable_in
from ..reasons import reason_for

# How many members are read to find one who is contactable and not in the control group.
SAMPLE_SCAN = 50
WORDS_PER_MINUTE = 150  # reading aloud and text-to-speech alike

# The formats each channel kind needs, besides any other format its content fills.
EXPECTED_FORMATS: dict[str, list[str]] = {
    ChannelKind.USSD: ["ussd"],
    ChannelKind.APP: ["push", "banner"],
    ChannelKind.WEB: ["banner"],
    ChannelKind.IVR: ["ivr"],
}
FORMAT_ORDER = ["ussd", "sms", "push", "banner", "ivr"]
FORMAT_LABELS = {
    "ussd": gettext_lazy("USSD screen"),
    "sms": gettext_lazy("SMS"),
    "push": gettext_lazy("App push"),
    "banner": gettext_lazy("Banner"),
    "ivr": gettext_lazy("IVR prompt"),
}

# The preview block each content format of the registry (``campaigns.formats``) is shown in.
FORMAT_BLOCKS = {
    "ussd": "ussd",
    "sms": "sms",
    "push_title": "push",
    "push_body": "push",
    "banner_title": "banner",
    "banner_alt": "banner",
    "ivr_prompt": "ivr",
}


def _expected_formats(kind: str) -> list[str]:
    """The preview blocks channel ``kind`` needs: as above for the built-in kinds, else the
    blocks of the formats the channel registry gives it."""
    if kind in ChannelKind.values:
        return EXPECTED_FORMATS.get(kind, [])
    return [FORMAT_BLOCKS[f] for f in channel_registry.formats_for(kind) if f in FORMAT_BLOCKS]


# (candidates, channel kind) → {offer id: (amount, unit label)}; registered by channels.
BonusEstimate = Callable[..., dict]
_bonus_estimate: BonusEstimate | None = None


def register_bonus_estimate(estimate: BonusEstimate) -> None:
    global _bonus_estimate
    _bonus_estimate = estimate


class SampleNotFound(ValidationError):
    """The customer id typed is not a member of the campaign's active target-group version."""


@dataclass
class Sample:
    """The customer the preview is rendered for, and what a manager should know about them."""

    customer: Customer
    member: TargetGroupMember | None = None
    example: bool = False  # a made-up customer: the group is empty
    notes: list[str] = field(default_factory=list)


@dataclass
class Text:
    """One text of a format, measured against its limit."""

    code: str
    text: str
    measured: Measured

    @property
    def problem(self) -> str:
        return "" if self.measured.fits else limit_message(self.measured, self.text)


@dataclass
class Block:
    """One format of one offer: its texts, and for SMS its parts, for IVR its speaking time."""

    code: str
    texts: dict[str, Text]
    empty: bool
    sms_parts: int = 0
    seconds: int = 0
    image_url: str = ""
    link: str = ""

    @property
    def label(self) -> str:
        return str(FORMAT_LABELS[self.code])

    @property
    def over(self) -> bool:
        return any(not t.measured.fits for t in self.texts.values())


@dataclass
class OfferPreview:
    candidate: Candidate  # what the card reads: offer, campaign, reason
    content: OfferContent | None
    earn: tuple | None
    blocks: list[Block]


@dataclass
class ChannelPreview:
    kind: str
    view: str  # "console", "outbound" or "digital"
    offers: list[OfferPreview]

    @property
    def label(self) -> str:
        return channel_registry.label(self.kind)


def _active_version_id(campaign: Campaign) -> int | None:
    try:
        return campaign.target_group.active_version_id
    except TargetGroup.DoesNotExist:
        return None


def _contactable(campaign: Campaign) -> Q:
    query = Q()
    for kind in campaign.channel_kinds:
        query |= contactable_in(kind)
    return query


def example_customer() -> Customer:
    """A made-up customer (never saved) for a campaign whose target group is empty."""
    return Customer(
        external_id="EXAMPLE",
        phone="+10000000000",
        name=_("Example customer"),
        segment=Segment.POSTPAID,
        value_tier=ValueTier.GOLD,
        customer_since=timezone.localdate() - timedelta(days=3 * 365 + 1),
        holdings=[],
        consent_marketing=True,
    )


def sample_member(campaign: Campaign, *, external_id: str = "") -> Sample:
    """The member the preview is for: ``external_id`` when given (it must be in the active
    version, else ``SampleNotFound``), else the first member whose customer may be contacted in
    one of the campaign's channel kinds and who is not in the control group; an example
    customer when there is none."""
    version_id = _active_version_id(campaign)
    members = TargetGroupMember.objects.filter(version_id=version_id).select_related("customer")
    if external_id:
        member = members.filter(customer_id=external_id).first() if version_id else None
        if member is None:
            raise SampleNotFound(
                _(
                    "Customer %(id)s is not in this campaign's target group (its active "
                    "version). Pick a member, or leave the field empty for one chosen for you."
                )
                % {"id": external_id}
            )
        return Sample(member.customer, member, notes=_notes(campaign, member))
    if version_id is not None:
        contactable = Customer.objects.filter(_contactable(campaign)).values("external_id")
        scanned = members.filter(customer_id__in=contactable).order_by("customer_id")
        for member in scanned[:SAMPLE_SCAN]:
            if not member.is_control:
                return Sample(member.customer, member)
    return Sample(
        example_customer(),
        example=True,
        notes=[
            _(
                "The target group has no member who may be contacted in this campaign's "
                "channels (or no active version), so an example customer stands in."
            )
        ],
    )


def _notes(campaign: Campaign, member: TargetGroupMember) -> list[str]:
    """What makes the chosen member differ from what the channels would really do."""
    notes = []
    if member.is_control:
        notes.append(_("This member is in the control group: no channel shows them an offer."))
    customer = member.customer
    refused = [
        channel_registry.label(kind)
        for kind in campaign.channel_kinds
        if not customer.may_be_contacted_in(kind)
    ]
    if refused:
        notes.append(
            _("This customer may not be contacted in: %(kinds)s.") % {"kinds": ", ".join(refused)}
        )
    return notes


def _measured(code: str, text: str) -> Text:
    return Text(code, text, measure(code, text))


def _block(code: str, content: OfferContent | None, image_url: Callable) -> Block:
    c = content
    if code == "ussd":
        texts = {"text": _measured("ussd", c.short_text if c else "")}
    elif code == "sms":
        texts = {"text": _measured("sms", c.sms_text if c else "")}
    elif code == "push":
        texts = {
            "title": _measured("push_title", c.push_title if c else ""),
            "body": _measured("push_body", c.push_body if c else ""),
        }
    elif code == "banner":
        texts = {
            "title": _measured("banner_title", c.banner_title if c else ""),
            "alt": _measured("banner_alt", c.banner_alt if c else ""),
        }
    else:
        texts = {"text": _measured("ivr_prompt", c.ivr_prompt if c else "")}
    has_image = bool(c and c.banner_image) and code == "banner"
    block = Block(
        code, texts, empty=not any(t.text.strip() for t in texts.values()) and not has_image
    )
    if code == "sms":
        block.sms_parts = sms_parts(texts["text"].text)
    if code == "ivr":
        block.seconds = round(len(texts["text"].text.split()) / WORDS_PER_MINUTE * 60)
    if code == "banner" and c is not None:
        block.image_url = image_url(c) if has_image else ""
        block.link = c.banner_link
    return block


def _filled(content: OfferContent | None) -> set[str]:
    if content is None:
        return set()
    fields = {
        "ussd": content.short_text,
        "sms": content.sms_text,
        "push": content.push_title or content.push_body,
        "banner": content.banner_title or content.banner_alt or content.banner_image,
        "ivr": content.ivr_prompt,
    }
    return {code for code, value in fields.items() if value}


def _view(kind: str) -> str:
    if kind in OUTBOUND_CHANNEL_KINDS:  # worked from call lists: the outbound screen's script
        return "outbound"
    if channel_registry.is_assisted(kind):
        return "console"
    return "digital"


def preview_channels(
    campaign: Campaign, sample: Sample, *, image_url: Callable[[OfferContent], str]
) -> list[ChannelPreview]:
    """Per channel kind of the campaign: each of its offers for that kind as the channel shows
    it to ``sample`` (card, script, or the digital formats with their measures). Reads only."""
    offers = list(campaign.offers.select_related("product").order_by("code"))
    contents = {
        (c.offer_id, c.channel_kind): c
        for c in OfferContent.objects.filter(offer__in=[o.pk for o in offers])
    }
    member = sample.member
    channels = []
    for kind in campaign.channel_kinds:
        if not channel_registry.is_known(kind):
            continue
        candidates = [
            Candidate(
                offer=offer,
                campaign=campaign,
                propensity=member.propensity if member else None,
                value=(
                    member.expected_value
                    if member and member.expected_value is not None
                    else offer.annual_value
                ),
                is_control=False,
                customer=sample.customer,
                member_reason=(member.reason or "") if member else "",
            )
            for offer in offers
            if offer.is_for(kind)
        ]
        for c in candidates:
            c.reason = reason_for(c)
        view = _view(kind)
        earnings = (
            _bonus_estimate(candidates=candidates, channel_kind=kind)
            if view == "console" and _bonus_estimate and candidates
            else {}
        )
        previews = []
        for c in candidates:
            content = contents.get((c.offer.pk, kind))
            wanted = set(_expected_formats(kind)) | _filled(content)
            blocks = [_block(code, content, image_url) for code in FORMAT_ORDER if code in wanted]
            previews.append(OfferPreview(c, content, earnings.get(c.offer.pk), blocks))
        channels.append(ChannelPreview(kind, view, previews))
    return channels
