"""A campaign's uplift over its control group, from the warehouse's confirmed conversions.

Two views, both through ``campaigns.results.uplift``:

- **intent to treat** (the result): every target-group member in their arm, contacted or not
  (``campaigns.conversions.arm_conversions``);
- **contacted only** (biased, shown as such): members of the treatment arm who were shown an
  offer of the campaign against control members who were held out at a decision. Who gets
  contacted is not random (who calls in, who answers), so this view flatters or hides the
  effect; it helps explain the first, never replaces it.

Money: incremental conversions × the mean annual value of the campaign's offers.

``uplift_for_all`` computes every campaign's and is what the benchmark times; the schedule runs
it after each refresh of the rollups and keeps the answers in the cache, so the campaign's page
reads them (and computes only on a miss).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from campaigns.choices import CampaignStatus
from campaigns.conversions import CONTROL, TREATMENT, Arm, arm_conversions, conversion_window
from campaigns.models import Campaign, Conversion, FirstContact, ResultsRefresh, TargetGroup

from .uplift import CENT, Uplift, uplift

CACHE_SECONDS = 24 * 3600  # the key changes with every refresh, so a long life is safe


@dataclass(frozen=True)
class CampaignUplift:
    """A campaign's uplift, intent to treat and contacted only, and when it was computed."""

    campaign_id: int
    intent_to_treat: Uplift
    contacted: Uplift
    mean_annual_value: Decimal | None
    computed_at: datetime


def mean_annual_value(campaign: Campaign) -> Decimal | None:
    """The mean annual value (monthly value × 12) of the campaign's offers; None without offers."""
    mean = campaign.offers.aggregate(mean=Avg("value"))["mean"]
    return None if mean is None else (Decimal(str(mean)) * 12).quantize(CENT)


def contacted_arms(campaign: Campaign) -> dict[str, Arm]:
    """{"treatment": members shown an offer, "control": members held out at a decision}, each
    with how many activated one of the campaign's products in its conversion window."""
    products = list(campaign.offers.values_list("product_id", flat=True))
    start, end = conversion_window(campaign)
    converted = Conversion.objects.filter(
        customer_id=OuterRef("customer__external_id"),
        product_id__in=products,
        activated_on__range=(start, end),
    )
    rows = (
        FirstContact.objects.filter(campaign=campaign)
        .values("held_out")
        .annotate(
            members=Count("customer_id", distinct=True),
            converted=Count("customer_id", distinct=True, filter=Q(Exists(converted))),
        )
        .order_by()
    )
    arms = {TREATMENT: Arm(0, 0), CONTROL: Arm(0, 0)}
    for row in rows:
        arms[CONTROL if row["held_out"] else TREATMENT] = Arm(row["members"], row["converted"])
    return arms


def _uplift(arms: dict[str, Arm], mean: Decimal | None) -> Uplift:
    return uplift(
        treatment_members=arms[TREATMENT].members,
        treatment_conversions=arms[TREATMENT].converted,
        control_members=arms[CONTROL].members,
        control_conversions=arms[CONTROL].converted,
        mean_annual_value=mean,
    )


def compute(campaign: Campaign) -> CampaignUplift:
    """The campaign's uplift, computed now from the database."""
    mean = mean_annual_value(campaign)
    return CampaignUplift(
        campaign_id=campaign.pk,
        intent_to_treat=_uplift(arm_conversions(campaign), mean),
        contacted=_uplift(contacted_arms(campaign), mean),
        mean_annual_value=mean,
        computed_at=timezone.now(),
    )


def _key(campaign: Campaign, refresh_id: int | None, version_id: int | None) -> str:
    # A new target-group version, a refresh of the rollups (which also follows a conversions
    # load) or an edit of the campaign (its attribution window) make a new key.
    stamp = int(campaign.updated_at.timestamp()) if campaign.updated_at else 0
    return f"results:uplift:{campaign.pk}:{version_id}:{refresh_id}:{stamp}"


def _stamps() -> tuple[int | None, dict[int, int | None]]:
    refresh = ResultsRefresh.objects.order_by("-finished_at").values_list("pk", flat=True).first()
    versions = dict(TargetGroup.objects.values_list("campaign_id", "active_version_id"))
    return refresh, versions


def uplift_for_all(campaigns=None) -> dict[int, CampaignUplift]:
    """Every campaign's uplift (of ``campaigns`` when given), computed now and kept in the
    cache for the pages."""
    campaigns = Campaign.objects.all() if campaigns is None else campaigns
    refresh, versions = _stamps()
    found = {}
    for campaign in campaigns:
        result = compute(campaign)
        cache.set(_key(campaign, refresh, versions.get(campaign.pk)), result, CACHE_SECONDS)
        found[campaign.pk] = result
    return found


def refresh_uplift() -> int:
    """After a refresh of the rollups: the uplift of every campaign that has run, cached."""
    ran = Campaign.objects.filter(
        status__in=[CampaignStatus.LIVE, CampaignStatus.PAUSED, CampaignStatus.ENDED]
    )
    return len(uplift_for_all(ran))


def cached_uplift(campaign: Campaign) -> CampaignUplift:
    """The campaign's uplift as of the last refresh: from the cache, computed on a miss."""
    refresh, versions = _stamps()
    key = _key(campaign, refresh, versions.get(campaign.pk))
    found = cache.get(key)
    if found is None:
        found = compute(campaign)
        cache.set(key, found, CACHE_SECONDS)
    return found
