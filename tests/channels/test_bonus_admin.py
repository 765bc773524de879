"""The bonus admin: CVM managers edit plans with clear refusals; closed periods are read-only."""

from datetime import date
from decimal import Decimal

import pytest

from campaigns.choices import Outcome
from channels.bonus.statements import close_period
from channels.models import BonusPlan, Cancellation
from cvm_portal.roles import Role
from tests.factories import NOW, at, bonus_plan, bonus_world, recorded

pytestmark = pytest.mark.django_db


def inline_management(**extra):
    data = {}
    for prefix in ("rules", "tiers"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(extra)
    return data


def plan_data(**fields):
    base = {
        "name": "Store April",
        "channel_kind": "store",
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-30",
        "unit": "money",
        "point_value": "1",
        "target": "100",
        "clawback_days": "30",
    }
    return inline_management(**{**base, **fields})


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER)
    client.force_login(user)
    return user


def test_a_cvm_manager_adds_a_plan_with_a_rule_and_a_tier(client, manager):
    data = plan_data(
        **{
            "rules-TOTAL_FORMS": "1",
            "rules-0-amount": "12.50",
            "rules-0-value_share": "0",
            "tiers-TOTAL_FORMS": "1",
            "tiers-0-threshold": "100",
            "tiers-0-multiplier": "1.5",
        }
    )
    response = client.post("/admin/channels/bonusplan/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = BonusPlan.objects.get()
    assert created.rules.get().amount == Decimal("12.50")
    assert created.tiers.get().multiplier == Decimal("1.5")


def test_the_admin_refuses_an_overlapping_plan_with_the_plan_it_overlaps(client, manager):
    bonus_plan((date(2026, 4, 15), date(2026, 5, 14)), name="Mid-April")
    response = client.post("/admin/channels/bonusplan/add/", plan_data())
    page = response.content.decode()
    assert response.status_code == 200
    assert "paid by two plans at once" in page and "Mid-April" in page
    assert BonusPlan.objects.count() == 1


def test_a_rule_that_pays_nothing_is_refused(client, manager):
    data = plan_data(
        **{
            "rules-TOTAL_FORMS": "1",
            "rules-0-product_family": "tv",
            "rules-0-amount": "0",
            "rules-0-value_share": "0",
        }
    )
    page = client.post("/admin/channels/bonusplan/add/", data).content.decode()
    assert "A rule must pay something" in page
    assert not BonusPlan.objects.exists()


def test_a_closed_plan_is_read_only_in_the_admin(client, manager):
    w = bonus_world()
    march = bonus_plan()
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    close_period(plan=march, user=manager, now=NOW)
    page = client.get(f"/admin/channels/bonusplan/{march.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    data = plan_data(name="Rewritten", starts_on="2026-03-01", ends_on="2026-03-31")
    assert client.post(f"/admin/channels/bonusplan/{march.pk}/change/", data).status_code == 403
    assert BonusPlan.objects.get(pk=march.pk).name != "Rewritten"
    statement = march.statements.get(agent=w.agent)
    assert (
        client.post(
            f"/admin/channels/bonusstatement/{statement.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_a_cancellation_of_an_outcome_that_was_not_a_sale_is_refused(client, manager):
    w = bonus_world()
    declined = recorded(
        w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)), outcome=Outcome.DECLINED
    )
    response = client.post(
        "/admin/channels/cancellation/add/",
        {
            "response": declined.pk,
            "cancelled_at_0": "2026-03-05",
            "cancelled_at_1": "10:00",
            "reason": "",
        },
    )
    assert "not a conversion" in response.content.decode()
    sold = recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    response = client.post(
        "/admin/channels/cancellation/add/",
        {
            "response": sold.pk,
            "cancelled_at_0": "2026-03-05",
            "cancelled_at_1": "10:00",
            "reason": "x",
        },
    )
    assert response.status_code == 302
    assert Cancellation.objects.get().entered_by == manager


def test_team_leads_and_agents_cannot_edit_plans(client, make_user):
    client.force_login(make_user(Role.TEAM_LEAD))
    assert client.get("/admin/channels/bonusplan/").status_code == 302  # not staff: to sign-in
