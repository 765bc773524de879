"""The learned propensities' refresh on PostgreSQL: one set-based statement.

``REFRESH_SQL`` groups the responses above the watermark (``since`` < id ≤ ``up_to``) that
were presented (outcome not "not_presented") by offer, channel kind and the customer's segment
and value tier, computes the priors of the groups that need one (all on a full refresh; on an
incremental one only groups without a row yet, so the member tables are scanned rarely), and
upserts (INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE): a full refresh sets the
evidence and prior, an incremental one adds the evidence and keeps the prior. The statement
returns the presentations read. Runs one at a time: a transaction advisory lock.
"""

from __future__ import annotations

from django.db import connection

from campaigns.choices import Outcome

LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtext('campaigns.learning.refresh'))"

REFRESH_SQL = """
WITH ev AS (
    SELECT r.offer_id, r.channel_kind, c.segment, c.value_tier,
        count(*) AS presented, count(*) FILTER (WHERE r.outcome = %(accepted)s) AS accepted
    FROM campaigns_response r JOIN campaigns_customer c ON c.id = r.customer_id
    WHERE r.id > %(since)s AND r.id <= %(up_to)s AND r.outcome <> %(not_presented)s
    GROUP BY 1, 2, 3, 4
),
wanted AS (
    SELECT DISTINCT e.offer_id FROM ev e
    WHERE %(full)s OR NOT EXISTS (
        SELECT 1 FROM campaigns_learnedpropensity l
        WHERE l.offer_id = e.offer_id AND l.channel_kind = e.channel_kind
            AND l.segment = e.segment AND l.value_tier = e.value_tier
    )
),
pr AS (
    SELECT w.offer_id, c.segment, c.value_tier, avg(m.propensity) AS prior
    FROM wanted w
    JOIN campaigns_offer o ON o.id = w.offer_id
    JOIN campaigns_campaign_offers co ON co.offer_id = w.offer_id
    JOIN campaigns_targetgroup tg ON tg.campaign_id = co.campaign_id
    JOIN campaigns_targetgroupmember m ON m.version_id = tg.active_version_id
        AND (m.offer_code IS NULL OR m.offer_code = o.code) AND m.propensity IS NOT NULL
    JOIN campaigns_customer c ON c.external_id = m.customer_external_id
    GROUP BY 1, 2, 3
),
up AS (
    INSERT INTO campaigns_learnedpropensity AS l (offer_id, channel_kind, segment, value_tier,
        prior, prior_weight, presented, accepted, refreshed_at)
    SELECT e.offer_id, e.channel_kind, e.segment, e.value_tier,
        least(greatest(coalesce(p.prior, %(default)s), 0), 1), %(weight)s,
        e.presented, e.accepted, %(at)s
    FROM ev e LEFT JOIN pr p USING (offer_id, segment, value_tier)
    ON CONFLICT (offer_id, channel_kind, segment, value_tier) DO UPDATE SET
        presented = CASE WHEN %(full)s THEN EXCLUDED.presented
            ELSE l.presented + EXCLUDED.presented END,
        accepted = CASE WHEN %(full)s THEN EXCLUDED.accepted
            ELSE l.accepted + EXCLUDED.accepted END,
        prior = CASE WHEN %(full)s THEN EXCLUDED.prior ELSE l.prior END,
        prior_weight = CASE WHEN %(full)s THEN EXCLUDED.prior_weight ELSE l.prior_weight END,
        refreshed_at = EXCLUDED.refreshed_at
    RETURNING 1
)
SELECT coalesce(sum(presented), 0), (SELECT count(*) FROM up) FROM ev
"""

# A full refresh: the groups whose evidence is gone (an undone outcome) go back to the prior.
RESET_SQL = (
    "UPDATE campaigns_learnedpropensity SET presented = 0, accepted = 0, refreshed_at = %s"
    " WHERE refreshed_at <> %s"
)


def try_lock() -> bool:
    """Hold the refresh's lock until the transaction ends; False if another refresh holds it."""
    with connection.cursor() as cursor:
        cursor.execute(LOCK_SQL)
        return cursor.fetchone()[0]


def refresh(*, full: bool, since: int, up_to: int, default: float, weight: float, at) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            REFRESH_SQL,
            {
                "full": full, "since": since, "up_to": up_to, "default": default,
                "weight": weight, "at": at, "accepted": Outcome.ACCEPTED.value,
                "not_presented": Outcome.NOT_PRESENTED.value,
            },
        )  # fmt: skip
        read = cursor.fetchone()[0]
        if full:
            cursor.execute(RESET_SQL, [at, at])
    return int(read)
