"""Rule, tier, gate and cap arithmetic of bonus statements, including seeded property loops."""

import random
from decimal import Decimal

from channels.bonus.arithmetic import Facts, Line, best_rule, settle, tiered
from channels.choices import LineKind
from channels.models import BonusRule

D = Decimal


def conversions(*amounts, pending=False) -> list[Line]:
    return [
        Line(LineKind.CONVERSION, D(a), "x", response_id=i, pending=pending)
        for i, a in enumerate(amounts, start=1)
    ]


def test_below_the_first_threshold_earnings_are_not_multiplied():
    assert tiered(D("80"), D("100"), [(D("100"), D("1.5"))]) == (D("80.00"), D("1"))


def test_the_accelerator_applies_only_above_its_threshold():
    # 100 at × 1, then 20 above target at × 1.5 = 130
    assert tiered(D("120"), D("100"), [(D("100"), D("1.5"))]) == (D("130.00"), D("1.5"))


def test_tiers_stack_band_by_band():
    tiers = [(D("100"), D("1.5")), (D("150"), D("2"))]
    # 100 × 1 + 50 × 1.5 + 20 × 2 = 215
    assert tiered(D("170"), D("100"), tiers) == (D("215.00"), D("2"))


def test_without_a_target_tiers_do_nothing():
    assert tiered(D("500"), D("0"), [(D("100"), D("3"))]) == (D("500"), D("1"))


def test_the_most_specific_rule_wins():
    catch_all = BonusRule(pk=1, amount=D("5"))
    family = BonusRule(pk=2, product_family="broadband", amount=D("7"))
    campaign = BonusRule(pk=3, campaign_id=10, amount=D("9"))
    offer = BonusRule(pk=4, offer_id=20, amount=D("11"))
    rules = [catch_all, family, campaign, offer]
    assert best_rule(rules, campaign_id=10, offer_id=20, family="broadband") is offer
    assert best_rule(rules, campaign_id=10, offer_id=21, family="broadband") is campaign
    assert best_rule(rules, campaign_id=11, offer_id=21, family="broadband") is family
    assert best_rule(rules, campaign_id=11, offer_id=21, family="tv") is catch_all
    assert best_rule([offer], campaign_id=11, offer_id=21, family="tv") is None


def test_a_rule_weighted_by_value_adds_its_share_of_the_offer_value():
    rule = BonusRule(amount=D("5"), value_share=D("10"))
    assert rule.award(D("99.90")) == D("14.99")


def test_a_statement_total_is_the_sum_of_its_lines_with_accelerator_and_cap():
    facts = Facts(
        conversions=conversions("60", "60"),
        target=D("100"),
        tiers=[(D("100"), D("2"))],
        cap=D("130"),
    )
    result = settle(facts)
    kinds = [line.kind for line in result.lines]
    assert kinds == ["conversion", "conversion", "accelerator", "cap"]
    # 120 earned; 100 + 20 × 2 = 140; capped at 130
    assert [line.amount for line in result.lines[2:]] == [D("20.00"), D("-10")]
    assert result.total == D("130") == sum(line.amount for line in result.lines)
    assert result.attainment == D("120.00") and result.multiplier == D("2")


def test_a_clawback_takes_back_its_conversion_before_tiers():
    facts = Facts(
        conversions=conversions("60", "60"),
        clawbacks=[Line(LineKind.CLAWBACK, D("-60"), "cancelled", response_id=2)],
        target=D("100"),
        tiers=[(D("100"), D("2"))],
    )
    result = settle(facts)
    assert result.earned == D("60") and result.total == D("60")


def test_a_failed_quality_gate_pays_nothing_of_the_period_but_keeps_the_lines():
    facts = Facts(
        conversions=conversions("40", "40"),
        contacts=10,
        contacts_with_outcome=7,
        min_share=D("80"),
    )
    result = settle(facts)
    assert not result.gate_met
    assert result.lines[-1].kind == LineKind.GATE and result.lines[-1].amount == D("-80")
    assert "70%" in result.lines[-1].description and "80%" in result.lines[-1].description
    assert result.total == 0


def test_the_gate_is_met_exactly_at_the_share():
    facts = Facts(conversions=conversions("40"), contacts=10, contacts_with_outcome=8)
    facts.min_share = D("80")
    assert settle(facts).gate_met


def test_pending_counts_conversions_still_inside_the_clawback_window():
    facts = Facts(conversions=[*conversions("10", pending=True), *conversions("15")])
    assert settle(facts).pending == D("10")


def test_adjustments_from_a_closed_period_are_added_after_the_gate_and_within_the_cap():
    facts = Facts(
        conversions=conversions("50"),
        adjustments=[
            Line(LineKind.LATE, D("30"), "late"),
            Line(LineKind.LATE_CLAWBACK, D("-5"), ""),
        ],
        contacts=10,
        contacts_with_outcome=1,
        min_share=D("50"),
        cap=D("20"),
    )
    result = settle(facts)
    # gate takes the period's 50; adjustments bring 25; capped at 20
    assert [line.kind for line in result.lines] == [
        "conversion",
        "gate",
        "late",
        "late_clawback",
        "cap",
    ]
    assert result.total == D("20") == sum(line.amount for line in result.lines)


def _random_plan(rng: random.Random) -> dict:
    tiers = sorted(
        {
            (
                D(rng.choice([50, 80, 100, 120, 150, 200])),
                D(rng.choice(["1", "1.25", "1.5", "2", "3"])),
            )
            for _ in range(rng.randint(0, 3))
        }
    )
    return {
        "target": D(rng.choice([0, 50, 100, 300, 1000])),
        "tiers": tiers,
        "cap": rng.choice([None, D(rng.randint(0, 2000))]),
        "min_share": rng.choice([None, D(rng.randint(0, 100))]),
    }


def test_property_a_total_never_exceeds_the_cap_and_always_equals_its_lines():
    rng = random.Random(20260401)
    for _ in range(2000):
        plan = _random_plan(rng)
        amounts = [D(rng.randint(0, 20000)) / 100 for _ in range(rng.randint(0, 40))]
        contacts = rng.randint(len(amounts), len(amounts) + 30)
        facts = Facts(
            conversions=conversions(*amounts),
            contacts=contacts,
            contacts_with_outcome=rng.randint(len(amounts), contacts),
            adjustments=[
                Line(LineKind.LATE, D(rng.randint(-5000, 5000)) / 100, "adj")
                for _ in range(rng.randint(0, 3))
            ],
            **plan,
        )
        result = settle(facts)
        assert result.total == sum(line.amount for line in result.lines)
        if plan["cap"] is not None:
            assert result.total <= plan["cap"], (plan, amounts)


def test_property_more_conversions_never_earn_less_below_the_cap():
    rng = random.Random(4)
    for _ in range(1000):
        plan = _random_plan(rng)
        amounts = [D(rng.randint(0, 20000)) / 100 for _ in range(rng.randint(0, 30))]
        contacts = len(amounts) + rng.randint(0, 20)
        with_outcome = rng.randint(len(amounts), contacts)
        before = settle(
            Facts(
                conversions=conversions(*amounts),
                contacts=contacts,
                contacts_with_outcome=with_outcome,
                **plan,
            )
        )
        # One more accepted offer: one more contact, which has an outcome.
        extra = D(rng.randint(0, 20000)) / 100
        after = settle(
            Facts(
                conversions=conversions(*amounts, extra),
                contacts=contacts + 1,
                contacts_with_outcome=with_outcome + 1,
                **plan,
            )
        )
        assert after.total >= before.total, (plan, amounts, extra)
        if plan["cap"] is None or after.total < plan["cap"]:
            assert after.earned == before.earned + extra
