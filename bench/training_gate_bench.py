"""The training gate on PostgreSQL: what a decision with a training-required candidate pays.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch database> .venv/bin/python bench/training_gate_bench.py
Migrates the database and, once, adds 50 training-required live campaigns with 4 published
guides each and 5,000 store agents who completed about 70 % of them (~700 k completions,
1 M assignments); then times 500 calls of ``training.gating.untrained_campaigns`` (the gate
inside ``decide``) and ``guides_to_complete`` (the console notice) for 10 campaigns, against
the same SQL run bare through the cursor. DEBUG is off; a reused database whose campaigns have
ended is refused. Every answer is checked against the bare rows (the campaigns with a guide
the agent has not completed): a wrong one counts as an error.
Last line: gate_p50_ms=… gate_p95_ms=… notice_p95_ms=… bare_sql_p50_ms=… errors=…
"""

import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, n=500) -> tuple[list[float], list]:
    """Milliseconds of ``n`` calls of ``fn``, and what each returned (checked after the timing)."""
    samples, answers = [], []
    for _ in range(n):
        started = time.perf_counter()
        answers.append(fn())
        samples.append((time.perf_counter() - started) * 1000)
    return samples, answers


def p(samples, q) -> float:
    return statistics.quantiles(samples, n=100)[q - 1]


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvm_portal.settings")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from bench.common import last_line, production_mode, refuse_expired
    from campaigns.models import Campaign
    from channels.models import AgentProfile, Site
    from cvm_portal.roles import Role, assign_role, roles_of
    from training import gating
    from training.models import Completion, Guide
    from training.publishing import publish_guide

    production_mode()
    User = get_user_model()
    if Site.objects.filter(code="GATE-BENCH").exists():
        refuse_expired(
            Campaign.objects.filter(code__startswith="GATE-"),
            at=timezone.now(),
            database=connection.settings_dict["NAME"],
        )
    else:
        rng = random.Random(2026)
        now = timezone.now()
        site = Site.objects.create(code="GATE-BENCH", name="Gate bench", kind="store", region="-")
        users = User.objects.bulk_create(User(username=f"gate{n}") for n in range(5000))
        AgentProfile.objects.bulk_create(
            AgentProfile(user=u, site=site, channel_kind="store") for u in users
        )
        for n in range(50):
            campaign = Campaign.objects.create(
                code=f"GATE-{n}",
                name=f"Gate {n}",
                objective="upsell",
                status="live",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                channel_kinds=["store"],
                training_required=True,
            )
            for k in range(4):
                guide = Guide.objects.create(title=f"Guide {n}-{k}", body="Text.")
                guide.campaigns.add(campaign)
                version = publish_guide(guide=guide, by=None)
                Completion.objects.bulk_create(
                    Completion(
                        user=u, guide=guide, version=version, acknowledged_at=now, completed_at=now
                    )
                    for u in users
                    if rng.random() < 0.7
                )
    user = User.objects.get(username="gate7")
    assign_role(user, Role.AGENT)
    roles_of(user), user.agent_profile  # loaded once per request by the page's role check
    ids = list(Campaign.objects.filter(code__startswith="GATE-").values_list("pk", flat=True)[:10])
    gate, gate_answers = timed(lambda: gating.untrained_campaigns(user=user, campaign_ids=ids))
    notice, notice_answers = timed(lambda: gating.guides_to_complete(user=user, campaign_ids=ids))
    sql = gating._LINKS_SQL.format(placeholders=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        bare, bare_answers = timed(
            lambda: (cursor.execute(sql, [user.pk, *ids]), cursor.fetchall())[1]
        )
    # The guides are for every agent: a campaign is still to pass when one of its guides is not done.
    pending = {row[0] for row in bare_answers[0] if not row[-1]}
    errors = sum(set(answer) != pending for answer in gate_answers + notice_answers)
    errors += sum(answer != bare_answers[0] for answer in bare_answers)
    print(
        f"completions={Completion.objects.count()} guides={Guide.objects.count()} "
        f"campaigns still to pass for the agent: {len(pending)} of {len(ids)}"
    )
    last_line(
        f"gate_p50_ms={statistics.median(gate):.2f} gate_p95_ms={p(gate, 95):.2f} "
        f"notice_p95_ms={p(notice, 95):.2f} bare_sql_p50_ms={statistics.median(bare):.2f}",
        errors,
    )


if __name__ == "__main__":
    main()
