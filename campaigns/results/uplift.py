"""Uplift of a campaign's treatment arm over its control group, with 95 % confidence intervals.

Pure arithmetic on four counts (members and confirmed conversions in each arm); reading them from
the database is the caller's job. Every method is closed-form, at the 95 % level:

- one rate: the Wilson score interval (Wilson 1927; method 3 of Newcombe 1998a, "Two-sided
  confidence intervals for the single proportion", Statistics in Medicine 17:857-872);
- the absolute uplift p_t - p_c: Newcombe's hybrid score interval, method 10 of Newcombe 1998b,
  "Interval estimation for the difference between independent proportions: comparison of eleven
  methods", Statistics in Medicine 17:873-890 — each arm's Wilson limits, squared and added;
- the relative uplift p_t / p_c - 1: MOVER-R on the same Wilson limits (Donner & Zou 2012,
  Statistical Methods in Medical Research 21:347-359; Fagerland, Lydersen & Laake 2017,
  "Statistical Analysis of Contingency Tables", ch. 4). It is Newcombe's construction solved for
  the ratio, so the relative interval excludes 0 exactly when the absolute one does: the two
  figures never tell a manager different stories;
- members still needed while the interval straddles 0: the normal-approximation sample size for
  two proportions with a pooled variance under the null (Fleiss, Levin & Paik 2003, "Statistical
  Methods for Rates and Proportions", eq. 4.14, no continuity correction), 80 % power, two-sided
  alpha = 0.05, at the current split between the arms and the observed rates.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvm_portal import formatting as fmt

Z_95 = 1.959963984540054  # standard normal quantile at 0.975: two-sided 95 %
Z_POWER_80 = 0.8416212335729143  # standard normal quantile at 0.80: 80 % power
CENT = Decimal("0.01")

N = TypeVar("N", float, Decimal)


@dataclass(frozen=True)
class Interval(Generic[N]):
    """A closed interval [low, high] around an estimate."""

    low: N
    high: N

    def __contains__(self, value: object) -> bool:
        return self.low <= value <= self.high  # type: ignore[operator]


class Verdict(StrEnum):
    """What the interval of the absolute uplift says, in one word a page can style."""

    SIGNIFICANT = "significant"  # the whole interval is above 0
    NO_EVIDENCE = "no_evidence"  # the interval straddles 0
    NEGATIVE = "negative"  # the whole interval is below 0
    NO_DATA = "no_data"  # an arm has no members: no interval at all


@dataclass(frozen=True)
class Uplift:
    """A campaign's result against its control group; every figure None when it cannot exist.

    ``relative`` is None when the control group has no conversion (a ratio to 0 is undefined);
    money is None when the caller gave no mean annual value.
    """

    treatment_members: int
    treatment_conversions: int
    control_members: int
    control_conversions: int
    verdict: Verdict
    treatment_rate: float | None = None
    control_rate: float | None = None
    difference: float | None = None  # absolute uplift: p_t - p_c
    difference_interval: Interval[float] | None = None
    relative: float | None = None  # relative uplift: p_t / p_c - 1
    relative_interval: Interval[float] | None = None
    incremental_conversions: float | None = None  # difference × treatment members
    incremental_conversions_interval: Interval[float] | None = None
    incremental_annual_value: Decimal | None = None  # incremental conversions × mean value
    incremental_annual_value_interval: Interval[Decimal] | None = None
    more_members_needed: int | None = None  # NO_EVIDENCE with a non-zero observed difference

    @property
    def verdict_text(self) -> str:
        """The verdict in plain words, in the active language."""
        if self.verdict == Verdict.SIGNIFICANT:
            return _("Significant uplift")
        if self.verdict == Verdict.NEGATIVE:
            return _("Negative: the campaign's members convert less than the control group")
        if self.verdict == Verdict.NO_DATA:
            if self.treatment_members == 0:
                return _("No result yet: the target group has no members outside the control group")
            return _("No result yet: the control group has no members")
        if self.more_members_needed is None:
            return _("No evidence yet — both groups convert at the same rate so far")
        return ngettext(
            "No evidence yet — needs about %(count)s more member",
            "No evidence yet — needs about %(count)s more members",
            self.more_members_needed,
        ) % {"count": fmt.number(self.more_members_needed)}


def _check(conversions: int, members: int) -> None:
    if members < 0 or conversions < 0:
        raise ValueError(_("Members and conversions cannot be negative."))
    if conversions > members:
        raise ValueError(
            _("An arm cannot have more conversions (%(conversions)d) than members (%(members)d).")
            % {"conversions": conversions, "members": members}
        )


def wilson(conversions: int, members: int) -> Interval[float]:
    """Wilson score interval for conversions / members; exact 0 and 1 at the ends."""
    _check(conversions, members)
    if members == 0:
        raise ValueError(_("An arm without members has no rate, so no interval."))
    p = conversions / members
    z2 = Z_95 * Z_95
    scale = 1 + z2 / members
    centre = (p + z2 / (2 * members)) / scale
    half = Z_95 * math.sqrt(p * (1 - p) / members + z2 / (4 * members * members)) / scale
    low = 0.0 if conversions == 0 else max(0.0, centre - half)
    high = 1.0 if conversions == members else min(1.0, centre + half)
    return Interval(low, high)


def newcombe(t_conv: int, t_members: int, c_conv: int, c_members: int) -> Interval[float]:
    """Newcombe's hybrid score interval (1998b, method 10) for p_t - p_c."""
    w_t, w_c = wilson(t_conv, t_members), wilson(c_conv, c_members)  # validates the counts
    p_t, p_c = t_conv / t_members, c_conv / c_members
    difference = p_t - p_c
    low = difference - math.hypot(p_t - w_t.low, w_c.high - p_c)
    high = difference + math.hypot(w_t.high - p_t, p_c - w_c.low)
    return Interval(max(-1.0, low), min(1.0, high))


def relative_interval(
    t_conv: int, t_members: int, c_conv: int, c_members: int
) -> Interval[float] | None:
    """MOVER-R interval (Donner & Zou 2012) for p_t / p_c - 1; None when p_c is 0.

    Each limit θ solves (p_t - θ·p_c)² = (p_t - l_t)² + θ²(u_c - p_c)² (and its mirror with the
    other Wilson limits), a quadratic whose root is written here in the form that cannot divide
    by zero: θ_low = c / (p_t·p_c + √(p_t²p_c² - a·c)).
    """
    w_t, w_c = wilson(t_conv, t_members), wilson(c_conv, c_members)  # validates the counts
    if c_conv == 0:
        return None
    p_t, p_c = t_conv / t_members, c_conv / c_members
    product = p_t * p_c
    a_low, c_low = w_c.high * (2 * p_c - w_c.high), w_t.low * (2 * p_t - w_t.low)
    denominator = product + math.sqrt(max(0.0, product * product - a_low * c_low))
    ratio_low = c_low / denominator if denominator > 0 else 0.0
    a_high, c_high = w_c.low * (2 * p_c - w_c.low), w_t.high * (2 * p_t - w_t.high)
    ratio_high = (product + math.sqrt(max(0.0, product * product - a_high * c_high))) / a_high
    return Interval(max(0.0, ratio_low) - 1, ratio_high - 1)


def members_needed(t_conv: int, t_members: int, c_conv: int, c_members: int) -> int | None:
    """Members to add (at the current split) for 80 % power to show the observed difference.

    None when the observed rates are equal: no sample is large enough to show a zero difference.
    """
    wilson(t_conv, t_members), wilson(c_conv, c_members)  # validates the counts
    p_t, p_c = t_conv / t_members, c_conv / c_members
    difference = p_t - p_c
    if difference == 0:
        return None
    k = t_members / c_members  # treatment members per control member
    pooled = (t_conv + c_conv) / (t_members + c_members)
    spread = Z_95 * math.sqrt(pooled * (1 - pooled) * (1 + 1 / k)) + Z_POWER_80 * math.sqrt(
        p_t * (1 - p_t) / k + p_c * (1 - p_c)
    )
    control_needed = spread * spread / (difference * difference)
    total_needed = math.ceil(control_needed * (1 + k) - 1e-9)
    return max(1, total_needed - t_members - c_members)


def _money(conversions: float, mean_value: Decimal) -> Decimal:
    return (Decimal(conversions) * mean_value).quantize(CENT)


def uplift(
    *,
    treatment_members: int,
    treatment_conversions: int,
    control_members: int,
    control_conversions: int,
    mean_annual_value: Decimal | float | None = None,
) -> Uplift:
    """The uplift of the treatment arm over the control group, with intervals and a verdict.

    ``mean_annual_value`` is what one conversion is worth over a year (for example the mean of
    the converted offers' annual values); without it the money figures are None.
    """
    _check(treatment_conversions, treatment_members)
    _check(control_conversions, control_members)
    arms = {
        "treatment_members": treatment_members,
        "treatment_conversions": treatment_conversions,
        "control_members": control_members,
        "control_conversions": control_conversions,
    }
    if not treatment_members or not control_members:
        return Uplift(
            **arms,
            verdict=Verdict.NO_DATA,
            treatment_rate=treatment_conversions / treatment_members if treatment_members else None,
            control_rate=control_conversions / control_members if control_members else None,
        )
    counts = (treatment_conversions, treatment_members, control_conversions, control_members)
    t_rate, c_rate = (
        treatment_conversions / treatment_members,
        control_conversions / control_members,
    )
    difference = t_rate - c_rate
    interval = newcombe(*counts)
    if interval.low > 0:
        verdict, more = Verdict.SIGNIFICANT, None
    elif interval.high < 0:
        verdict, more = Verdict.NEGATIVE, None
    else:
        verdict, more = Verdict.NO_EVIDENCE, members_needed(*counts)
    incremental = difference * treatment_members
    incremental_interval = Interval(
        interval.low * treatment_members, interval.high * treatment_members
    )
    value = value_interval = None
    if mean_annual_value is not None:
        mean = Decimal(str(mean_annual_value))
        value = _money(incremental, mean)
        ends = sorted(
            (_money(incremental_interval.low, mean), _money(incremental_interval.high, mean))
        )
        value_interval = Interval(ends[0], ends[1])
    return Uplift(
        **arms,
        treatment_rate=t_rate,
        control_rate=c_rate,
        difference=difference,
        difference_interval=interval,
        relative=t_rate / c_rate - 1 if control_conversions else None,
        relative_interval=relative_interval(*counts),
        incremental_conversions=incremental,
        incremental_conversions_interval=incremental_interval,
        incremental_annual_value=value,
        incremental_annual_value_interval=value_interval,
        verdict=verdict,
        more_members_needed=more,
    )
