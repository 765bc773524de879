"""Bonus statements on PostgreSQL: recomputing a month of outcomes, one agent and a whole plan.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_bonus .venv/bin/python bench/bonus_bench.py [--agents A] [--conversions C]
Builds (or reuses) a store with A agents (default 200), each with a month of contacts as
the console records them: C accepted offers (default 50), as many declined, C/2 "later", C/5
not presented and C/5 presentations left without an outcome, under one plan with a
value-weighted rule, a tier, a cap and the presentation-share gate. Then times
``channels.bonus.statements.refresh_statement`` for each agent (p50/p95), ``refresh_plan`` for
all of them, and the agent's statement page through Django's test client (recomputed, then as
computed), next to the bare SQL that sums one agent's month. DEBUG is off. Each statement
must count the agent's C conversions, each page answer 200 and each bare sum find them:
anything else counts as an error.
Last line: statement_p95_ms=… plan_s=… page_p95_ms=… fresh_page_p95_ms=… bare_sql_p95_ms=… errors=…
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MONTH = (date(2026, 1, 1), date(2026, 1, 31))


def pct(samples: list[float], n: int) -> float:
    return statistics.quantiles(samples, n=100)[n - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--conversions", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/cvm_bonus"
        )
    db = url.rsplit("/", 1)[1]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cvm_portal.settings")
    env.pop("REDIS_URL", None)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], capture_output=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=env,
    )
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.common import last_line, production_mode, refuse_expired
    from campaigns.models import Campaign
    from channels.bonus.periods import covered_agents, period_bounds
    from channels.bonus.statements import refresh_plan, refresh_statement
    from channels.models import BonusPlan

    production_mode()
    now = datetime(2026, 2, 10, 12, tzinfo=timezone.get_default_timezone())
    plan = BonusPlan.objects.filter(name="bench").first()
    if plan is not None:  # the outcomes were recorded in the plan's month: its campaign ran then
        refuse_expired(
            Campaign.objects.filter(code="BENCH-C"),
            at=datetime.combine(MONTH[1], datetime.min.time(), tzinfo=now.tzinfo),
            database=db,
        )
    if (
        plan is None
        or plan.statements.count() != args.agents
        or plan.statements.exclude(conversions=args.conversions).exists()
    ):
        started = time.perf_counter()
        plan = _build(args.agents, args.conversions)
        print(
            f"setup: {args.agents} agents × {args.conversions * 2} accepted or declined, and"
            f" other contacts, in {time.perf_counter() - started:.0f} s"
        )
    from cvm_portal.roles import Role, assign_role

    agents = [p.user for p in covered_agents(plan)]
    for agent in agents[:50]:
        assign_role(agent, Role.AGENT)

    errors = 0
    per_statement = []
    for agent in agents:
        t = time.perf_counter()
        statement = refresh_statement(plan=plan, agent=agent, now=now)
        per_statement.append((time.perf_counter() - t) * 1000)
        errors += statement.conversions != args.conversions or not statement.total
    t = time.perf_counter()
    refresh_plan(plan=plan, now=now)
    plan_s = time.perf_counter() - t
    errors += plan.statements.exclude(conversions=args.conversions).count()

    bare = []
    start, end = period_bounds(plan)
    with connection.cursor() as cur:
        for agent in agents:
            t = time.perf_counter()
            cur.execute(
                "SELECT count(*), sum(o.value) FROM campaigns_response r JOIN campaigns_offer o"
                " ON o.id = r.offer_id WHERE r.agent_id = %s AND r.outcome = 'accepted'"
                " AND r.recorded_at >= %s AND r.recorded_at < %s",
                [agent.pk, start, end],
            )
            conversions, _value = cur.fetchone()
            bare.append((time.perf_counter() - t) * 1000)
            errors += conversions != args.conversions

    page, fresh = [], []
    client = Client()
    for agent in agents[:50]:
        client.force_login(agent)
        for samples in (page, fresh):  # recomputed (stale), then as computed (nothing new)
            t = time.perf_counter()
            response = client.get(f"/bonus/?plan={plan.pk}")
            samples.append((time.perf_counter() - t) * 1000)
            errors += response.status_code != 200
    print(
        f"one statement ({args.conversions} conversions): p50 {pct(per_statement, 50):.1f} ms, "
        f"p95 {pct(per_statement, 95):.1f} ms; whole plan ({args.agents} agents) {plan_s:.2f} s; "
        f"statement page p95 {pct(page, 95):.1f} ms recomputed, {pct(fresh, 95):.1f} ms as "
        f"computed; bare SQL sum p95 {pct(bare, 95):.2f} ms"
    )
    last_line(
        f"statement_p95_ms={pct(per_statement, 95):.1f} plan_s={plan_s:.2f} "
        f"page_p95_ms={pct(page, 95):.1f} fresh_page_p95_ms={pct(fresh, 95):.1f} "
        f"bare_sql_p95_ms={pct(bare, 95):.2f}",
        errors,
    )


def _build(agents: int, conversions: int):
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from campaigns.choices import CampaignStatus, ChannelKind, Outcome
    from campaigns.models import (
        Campaign,
        Customer,
        Decision,
        DeclineReason,
        Offer,
        Presentation,
        Product,
        Response,
    )
    from channels.models import AgentProfile, BonusPlan, BonusRule, BonusTier, Site

    User = get_user_model()
    zone = timezone.get_default_timezone()
    with transaction.atomic():
        from channels.models import BonusStatement

        BonusStatement.objects.filter(plan__name="bench").delete()
        BonusPlan.objects.filter(name="bench").delete()
        site, _ = Site.objects.get_or_create(
            code="BENCH-BONUS", defaults={"name": "Bench store", "kind": "store", "region": "Bench"}
        )
        product, _ = Product.objects.get_or_create(
            code="BENCH-P", defaults={"name": "Bench", "family": "tv"}
        )
        offer, _ = Offer.objects.get_or_create(
            code="BENCH-O",
            defaults={
                "product": product,
                "title": "Bench offer",
                "benefit": "x",
                "value": Decimal("30"),
                "valid_from": datetime(2025, 1, 1, tzinfo=zone),
                "channel_kinds": [ChannelKind.STORE],
            },
        )
        campaign, _ = Campaign.objects.get_or_create(
            code="BENCH-C",
            defaults={
                "name": "Bench",
                "objective": "upsell",
                "status": CampaignStatus.LIVE,
                "starts_at": datetime(2025, 1, 1, tzinfo=zone),
                "ends_at": datetime(2027, 1, 1, tzinfo=zone),
                "channel_kinds": [ChannelKind.STORE],
            },
        )
        reason, _ = DeclineReason.objects.get_or_create(code="bench", defaults={"label": "Bench"})
        users = []
        for i in range(agents):
            user, _ = User.objects.get_or_create(username=f"bench-agent-{i:04d}")
            AgentProfile.objects.update_or_create(
                user=user, defaults={"site": site, "channel_kind": ChannelKind.STORE}
            )
            users.append(user)
        Decision.objects.filter(agent__in=users).delete()  # with their presentations, outcomes
        Customer.objects.filter(external_id__startswith="BB").delete()
        # A month of contacts per agent: accepted and declined in turn, then "later", not
        # presented, and presentations the agent recorded nothing for (the share gate sees them).
        kinds = (
            [Outcome.ACCEPTED, Outcome.DECLINED] * conversions
            + [Outcome.LATER] * (conversions // 2)
            + [Outcome.NOT_PRESENTED] * (conversions // 5)
            + [None] * (conversions // 5)
        )
        per_agent = len(kinds)
        customers = Customer.objects.bulk_create(
            Customer(
                external_id=f"BB{i:08d}",
                phone=f"+4860{i:07d}",
                name="Bench",
                segment="postpaid",
                value_tier="silver",
                customer_since=date(2020, 1, 1),
            )
            for i in range(agents * per_agent)
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                customer=customers[a * per_agent + k],
                channel_kind="store",
                agent=users[a],
                site_id=site.pk,
            )
            for a in range(agents)
            for k in range(per_agent)
        )
        presentations = Presentation.objects.bulk_create(
            Presentation(
                decision=d, offer=offer, campaign=campaign, rank=1, score=1, reason="bench"
            )
            for d in decisions
        )
        Response.objects.bulk_create(
            Response(
                presentation=p,
                customer_id=p.decision.customer_id,
                offer=offer,
                campaign=campaign,
                channel_kind="store",
                outcome=outcome,
                decline_reason=reason if outcome == Outcome.DECLINED else None,
                not_presented_reason="no_time" if outcome == Outcome.NOT_PRESENTED else "",
                agent=p.decision.agent,
                site_id=site.pk,
            )
            for k, p in enumerate(presentations)
            if (outcome := kinds[k % per_agent]) is not None
        )
        with transaction.get_connection().cursor() as cur:
            # Spread the outcomes over the month (auto_now_add stamped them now).
            cur.execute(
                "UPDATE campaigns_response SET recorded_at = %s + (id %% 28) * interval '1 day'"
                " WHERE agent_id = ANY(%s)",
                [datetime(2026, 1, 2, 12, tzinfo=zone), [u.pk for u in users]],
            )
            cur.execute(
                "UPDATE campaigns_decision SET created_at = %s WHERE agent_id = ANY(%s)",
                [datetime(2026, 1, 15, 12, tzinfo=zone), [u.pk for u in users]],
            )
        plan = BonusPlan.objects.create(
            name="bench",
            starts_on=MONTH[0],
            ends_on=MONTH[1],
            target=Decimal("300"),
            cap=Decimal("1000"),
            min_presentation_share=Decimal("50"),
        )
        plan.sites.set([site])
        BonusRule.objects.create(plan=plan, amount=Decimal("5"), value_share=Decimal("10"))
        BonusRule.objects.create(plan=plan, campaign=campaign, amount=Decimal("6"))
        BonusTier.objects.create(plan=plan, threshold=Decimal("100"), multiplier=Decimal("1.5"))
    from channels.bonus.statements import refresh_plan

    refresh_plan(plan=plan, now=datetime(2026, 2, 10, 12, tzinfo=zone))
    return plan


if __name__ == "__main__":
    main()
