"""The pre-live checks of a campaign: what blocks its submission and approval, and what its
approver must acknowledge. One list of structured results serves the workspace pages, the admin
and the lifecycle, so they never disagree.

Audience overlap is decided cheaply, because target groups hold millions of members:
- two target groups overlap when any of the first ``OVERLAP_SAMPLE`` members of one (in
  customer-id order, which the primary key serves) is in the other's active version: at most
  that many primary-key probes, whatever the groups' sizes. Customer ids are warehouse keys, not
  ordered by anything a campaign selects on, so the prefix is a fair sample: an overlap of a few
  per cent is found, a handful of shared customers may not be (and would not flood a channel);
- two always-on rules overlap when their segments, value tiers and tenure ranges all intersect;
- a rule and a target group overlap when the rule matches any customer of that same sample.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns import channel_registry
from cvm_portal import formatting as fmt

from ..choices import CampaignStatus
from ..formats import FORMATS, measure, talk_time_budget
from ..models import Campaign, Customer, EligibilityRule, Offer, TargetGroup, TargetGroupMember
from ..roadmap.checks import roadmap_warnings
from . import capacity_source as capacity

BLOCKING = "blocking"
WARNING = "warning"

# The texts of an offer's content a channel shows, and the format that limits each. Fields that
# a content does not have (yet) read as empty, so the list can name fields added later.
TEXT_FIELDS = [
    ("short_text", "ussd"),
    ("sms_text", "sms"),
    ("banner_title", "banner_title"),
    ("push_title", "push_title"),
    ("push_body", "push_body"),
    ("ivr_prompt", "ivr_prompt"),
]

# Members of one target group probed in the other for an overlap (see the module docstring).
OVERLAP_SAMPLE = 2000

# Campaigns another one may collide with: they serve now, or will.
COMPETING = (CampaignStatus.APPROVED, CampaignStatus.LIVE, CampaignStatus.PAUSED)


@dataclass(frozen=True)
class CheckResult:
    """One finding: ``code`` is stable (approvers acknowledge warnings by it), ``fix_url``
    leads to where it is fixed ("" when nowhere in the portal)."""

    code: str
    severity: str
    message: str
    fix_url: str = ""
    fix_label: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def as_record(self) -> dict[str, str]:
        """The form kept on an approval record: what the approver saw and ticked."""
        return {"code": self.code, "message": self.message}


def run_checks(campaign: Campaign, *, now: datetime | None = None) -> list[CheckResult]:
    """Every check of ``campaign``, blocking ones first, each list in a stable order."""
    now = now or timezone.now()
    offers = list(campaign.offers.select_related("product").prefetch_related("contents"))
    results = [
        *_period(campaign, now),
        *_offers(campaign, offers),
        *_audience(campaign),
        *_texts(campaign, offers),
        *_training(campaign),
        *_scripts(campaign, offers),
        *_overlaps(campaign, offers),
        *_capacity(campaign),
        *_roadmap(campaign, now),
    ]
    return sorted(results, key=lambda r: r.severity != BLOCKING)


def blocking(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.blocking]


def warnings(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.blocking]


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _edit_campaign(campaign: Campaign) -> str:
    return _url("admin:campaigns_campaign_change", campaign.pk)


def _period(campaign: Campaign, now: datetime) -> list[CheckResult]:
    if campaign.ends_at <= campaign.starts_at:
        return [
            CheckResult(
                "end_before_start",
                BLOCKING,
                _("The campaign ends before it starts: set its end after its start."),
                _edit_campaign(campaign),
                _("Change the period"),
            )
        ]
    if campaign.ends_at <= now:
        return [
            CheckResult(
                "already_over",
                BLOCKING,
                _("The campaign's period is over (it ended %(end)s): set a new period.")
                % {"end": fmt.datetime(campaign.ends_at)},
                _edit_campaign(campaign),
                _("Change the period"),
            )
        ]
    return []


def _offers(campaign: Campaign, offers: list[Offer]) -> list[CheckResult]:
    if offers:
        return []
    return [
        CheckResult(
            "no_offers",
            BLOCKING,
            _("The campaign has no offers: add at least one."),
            _edit_campaign(campaign),
            _("Add offers"),
        )
    ]


def _has_audience(campaign: Campaign) -> tuple[bool, bool]:
    """(an active target-group version, an always-on rule)."""
    group = TargetGroup.objects.filter(campaign=campaign, active_version__isnull=False).exists()
    rule = EligibilityRule.objects.filter(campaign=campaign).exists()
    return group, rule


def _audience(campaign: Campaign) -> list[CheckResult]:
    if any(_has_audience(campaign)):
        return []
    return [
        CheckResult(
            "no_audience",
            BLOCKING,
            _(
                "The campaign has no audience: no target group has been loaded for it and it has "
                "no always-on eligibility rule. Load its target group, or add a rule."
            ),
            _url("campaigns:load_list"),
            _("Nightly loads"),
        )
    ]


def _contents(campaign: Campaign, offers: list[Offer]):
    """(offer, content) for each content in a channel kind the campaign runs in."""
    kinds = set(campaign.channel_kinds)
    for offer in offers:
        for content in offer.contents.all():
            if content.channel_kind in kinds:
                yield offer, content


def _texts(campaign: Campaign, offers: list[Offer]) -> list[CheckResult]:
    results = []
    for offer, content in _contents(campaign, offers):
        for field, format_code in TEXT_FIELDS:
            text = getattr(content, field, "") or ""
            if not text or format_code not in FORMATS:
                continue
            measured = measure(format_code, text)
            if measured.fits:
                continue
            results.append(
                CheckResult(
                    f"text_too_long:{offer.code}:{content.channel_kind}:{field}",
                    BLOCKING,
                    _(
                        "%(offer)s, %(kind)s: the %(format)s text has %(used)d characters "
                        "%(encoding)s; the limit is %(limit)d. Shorten it by %(over)d."
                    )
                    % {
                        "offer": offer.code,
                        "kind": content.get_channel_kind_display(),
                        "format": measured.format.label,
                        "used": measured.used,
                        "encoding": f"({measured.encoding})" if measured.encoding else "",
                        "limit": measured.limit,
                        "over": measured.over,
                    },
                    _url("admin:campaigns_offer_change", offer.pk),
                    _("Edit the offer's texts"),
                )
            )
    return results


def _training(campaign: Campaign) -> list[CheckResult]:
    if not campaign.training_required:
        return []
    # The reverse side of training's Guide.campaigns: the CVM side never imports training.
    if campaign.guides.published().exists():
        return []
    return [
        CheckResult(
            "no_published_guide",
            BLOCKING,
            _(
                "Agents must pass this campaign's training, but no published programme guide "
                "names it: ask a trainer to publish one, or untick “training required”."
            ),
            _url("training:home"),
            _("Training"),
        )
    ]


def _scripts(campaign: Campaign, offers: list[Offer]) -> list[CheckResult]:
    results = []
    for offer, content in _contents(campaign, offers):
        budget = talk_time_budget(content.channel_kind)
        seconds = content.script_reading_seconds
        if budget is None or seconds <= budget:
            continue
        results.append(
            CheckResult(
                f"long_script:{offer.code}:{content.channel_kind}",
                WARNING,
                _(
                    "%(offer)s, %(kind)s: the script takes about %(seconds)d s to read; the "
                    "talk-time budget there is %(budget)d s."
                )
                % {
                    "offer": offer.code,
                    "kind": content.get_channel_kind_display(),
                    "seconds": seconds,
                    "budget": budget,
                },
                _url("admin:campaigns_offer_change", offer.pk),
                _("Shorten the script"),
            )
        )
    return results


def _member_sample(version_id: int) -> list[str]:
    return list(
        TargetGroupMember.objects.filter(version_id=version_id)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)[:OVERLAP_SAMPLE]
    )


def _rules_intersect(a: EligibilityRule, b: EligibilityRule) -> bool:
    if a.segments and b.segments and not set(a.segments) & set(b.segments):
        return False
    if a.value_tiers and b.value_tiers and not set(a.value_tiers) & set(b.value_tiers):
        return False
    low = max(a.min_tenure_months or 0, b.min_tenure_months or 0)
    highs = [h for h in (a.max_tenure_months, b.max_tenure_months) if h is not None]
    return not highs or low <= min(highs)


class _Audience:
    """A campaign's audience, loaded once: its active version and its rule."""

    def __init__(self, campaign: Campaign):
        group = TargetGroup.objects.filter(campaign=campaign).only("active_version_id").first()
        self.version_id = group.active_version_id if group else None
        self.rule = EligibilityRule.objects.filter(campaign=campaign).first()
        self._sample: list[str] | None = None

    @property
    def sample(self) -> list[str]:
        if self._sample is None:
            self._sample = _member_sample(self.version_id) if self.version_id else []
        return self._sample

    def overlaps(self, other: _Audience) -> bool:
        if self.version_id and other.version_id:
            return TargetGroupMember.objects.filter(
                version_id=other.version_id, customer_id__in=self.sample
            ).exists()
        if self.rule and other.rule:
            return _rules_intersect(self.rule, other.rule)
        rule, grouped = (self.rule, other) if self.rule else (other.rule, self)
        if rule is None or not grouped.version_id:
            return False  # one of them reaches nobody
        customers = Customer.objects.filter(external_id__in=grouped.sample)
        return any(rule.matches(c) for c in customers.iterator(chunk_size=500))


def _overlaps(campaign: Campaign, offers: list[Offer]) -> list[CheckResult]:
    families = {offer.product.family for offer in offers}
    if not families or not campaign.channel_kinds:
        return []
    others = (
        Campaign.objects.filter(
            status__in=COMPETING,
            starts_at__lt=campaign.ends_at,
            ends_at__gt=campaign.starts_at,
            offers__product__family__in=families,
        )
        .for_channel_kinds(campaign.channel_kinds)
        .exclude(pk=campaign.pk)
        .distinct()
        .order_by("code")
    )
    others = list(others)
    if not others:
        return []
    mine = _Audience(campaign)
    results = []
    for other in others:
        if not mine.overlaps(_Audience(other)):
            continue
        shared = sorted(set(campaign.channel_kinds) & set(other.channel_kinds))
        results.append(
            CheckResult(
                f"overlap:{other.code}",
                WARNING,
                _(
                    "%(other)s (%(status)s, %(start)s – %(end)s) offers the same product family "
                    "to customers of this audience in %(kinds)s: the two compete for the same "
                    "contacts."
                )
                % {
                    "other": other.code,
                    "status": other.get_status_display(),
                    "start": fmt.date(other.starts_at),
                    "end": fmt.date(other.ends_at),
                    "kinds": ", ".join(channel_registry.label(k) for k in shared),
                },
                _url("campaigns:campaign_governance", other.pk),
                _("Open %(code)s") % {"code": other.code},
            )
        )
    return results


def _capacity(campaign: Campaign) -> list[CheckResult]:
    """One warning per place and channel kind, however many hour bands it overloads there."""
    grouped = defaultdict(list)
    for overload in capacity.overloads_for_campaign(campaign):
        grouped[(overload.site_name, overload.channel_kind)].append(overload)
    results = []
    for (site, kind), overloads in grouped.items():
        worst = max(overloads, key=lambda o: o.needed - o.available)
        kind_label = channel_registry.label(kind)
        where = f"{site} · {kind_label}" if site else kind_label
        message = ngettext(
            "Capacity overload at %(where)s in %(n)d hour band (%(first)s): up to %(needed)s "
            "needed against %(available)s available, on %(day)s %(band)s.",
            "Capacity overload at %(where)s in %(n)d hour bands (from %(first)s): up to "
            "%(needed)s needed against %(available)s available, on %(day)s %(band)s.",
            len(overloads),
        ) % {
            "where": where,
            "n": len(overloads),
            "first": fmt.date(min(o.day for o in overloads)),
            "needed": fmt.number(worst.needed, -1),
            "available": fmt.number(worst.available, -1),
            "day": fmt.date(worst.day),
            "band": worst.hour_band,
        }
        others = sorted({c for o in overloads for c in o.campaign_codes} - {campaign.code})
        if others:
            message += " " + _("Also loading it: %(codes)s.") % {"codes": ", ".join(others)}
        results.append(
            CheckResult(
                f"capacity:{site}:{kind}",
                WARNING,
                message,
                _url("campaigns:capacity"),
                _("Capacity calendar"),
            )
        )
    return results


def _roadmap(campaign: Campaign, now: datetime) -> list[CheckResult]:
    """Channel work an initiative serving the campaign still waits for (campaigns.roadmap)."""
    return [
        CheckResult(code, WARNING, message, url, _("Roadmap board"))
        for code, message, url in roadmap_warnings(campaign, today=timezone.localdate(now))
    ]
