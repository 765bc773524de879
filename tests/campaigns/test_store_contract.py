"""The store's contract: the same cases against both implementations.

``campaigns.store`` picks PostgreSQL's fast path or the portable ORM path; callers must not
be able to tell which ran. Every case here runs against the portable implementation (on
SQLite, and on PostgreSQL too, where it works as well) and against the PostgreSQL one (marked
``postgres``). The outbound claim's two variants (``channels.outbound.claims``), chosen by the
same seam, are held to one contract the same way.
"""

import threading
import time
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from campaigns import store
from campaigns.choices import ChannelKind, LoadKind, LoadStatus, Outcome
from campaigns.loads import files
from campaigns.models import (
    Decision,
    DeclineReason,
    LoadReject,
    LoadRun,
    Presentation,
    Response,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)
from campaigns.store import portable
from campaigns.store import postgres as fast
from channels.choices import LeadState
from channels.models import Lead
from channels.outbound import claims
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
)

# Committed data: the PostgreSQL store loads through a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STORES = [
    pytest.param(portable, id="portable"),
    pytest.param(fast, id="postgres", marks=pytest.mark.postgres),
]
CLAIMS = [
    pytest.param(claims.claim_then_read, id="portable"),
    pytest.param(claims.claim_and_read, id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORES)
def impl(request):
    return request.param


@pytest.fixture(params=CLAIMS)
def claim(request):
    return request.param


def _respond(customer, offer, campaign, outcome, *, at, reason=None):
    """A response recorded at ``at`` (with the decision and presentation it answers)."""
    decision = Decision.objects.create(customer=customer, channel_kind=ChannelKind.STORE)
    presentation = Presentation.objects.create(
        decision=decision, offer=offer, campaign=campaign, rank=1, score=1, reason="test"
    )
    response = Response.objects.create(
        presentation=presentation,
        customer=customer,
        offer=offer,
        campaign=campaign,
        channel_kind=ChannelKind.STORE,
        outcome=outcome,
        decline_reason=reason,
    )
    Response.objects.filter(pk=response.pk).update(recorded_at=at)
    return response


# --- a decision's facts -------------------------------------------------------------------


def test_facts_are_the_memberships_in_the_versions_asked_and_the_history_up_to_now(impl):
    # Given a customer in two live target groups and in a third not asked about, who declined
    # an offer before "now" and accepted one after it
    now = timezone.now()
    offer = OfferFactory(code="FIBRE-1")
    first, second, third = (CampaignFactory(offers=[offer]) for _ in range(3))
    customer, other = CustomerFactory(), CustomerFactory()
    asked = [
        target_group(
            first,
            [{"customer": customer, "offer": offer, "propensity": 0.25, "reason": "Roams monthly"}],
        ),
        target_group(
            second,
            [{"customer": customer, "expected_value": Decimal("120.50"), "rank": 2}],
        ),
    ]
    target_group(third, [{"customer": customer}, {"customer": other}])
    reason = DeclineReason.objects.create(code="dear", label="Too dear", suppression_days=30)
    declined = now - timezone.timedelta(days=3)
    _respond(customer, offer, first, Outcome.DECLINED, at=declined, reason=reason)
    _respond(customer, offer, second, Outcome.ACCEPTED, at=now + timezone.timedelta(hours=1))

    # When the store is asked for the facts of a decision now
    memberships, history = impl.decision_facts(
        customer, [group.active_version_id for group in asked], now
    )

    # Then the two memberships (with the file's reason, "" where it gave none) and the one
    # response up to now come back
    assert sorted(memberships, key=lambda m: m.version_id) == [
        store.Membership(asked[0].active_version_id, "FIBRE-1", 0.25, None, "Roams monthly"),
        store.Membership(asked[1].active_version_id, None, None, Decimal("120.50"), ""),
    ]
    assert history == [(first.pk, offer.pk, Outcome.DECLINED, declined, 30)]


def test_a_customer_in_no_version_and_without_history_has_no_facts(impl):
    group = target_group(CampaignFactory(), [{"customer": CustomerFactory()}])
    assert impl.decision_facts(CustomerFactory(), [group.active_version_id], timezone.now()) == (
        [],
        [],
    )


# --- recording a decision -------------------------------------------------------------------


def _decision_with(offers, campaign, *, held_out=()):
    decision = Decision(customer=CustomerFactory(), channel_kind=ChannelKind.STORE, site_id=7)
    presentations = [
        Presentation(
            decision=decision,
            offer=offer,
            campaign=campaign,
            rank=rank,
            score=1.0 / rank,
            reason=f"reason {rank}",
            held_out=offer in held_out,
        )
        for rank, offer in enumerate(offers, start=1)
    ]
    return decision, presentations


def test_a_recorded_decision_and_its_presentations_are_stored_with_their_keys(impl):
    # Given a decision with two offers shown and one held out
    offers = [OfferFactory() for _ in range(3)]
    campaign = CampaignFactory(offers=offers)
    decision, presentations = _decision_with(offers, campaign, held_out=offers[2:])

    # When the store records it (its own transaction)
    impl.record_decision(decision, presentations)

    # Then the decision and each presentation are stored, and the objects carry their keys
    stored = Decision.objects.get(pk=decision.pk)
    assert (stored.customer_id, stored.channel_kind, stored.site_id) == (
        decision.customer_id, ChannelKind.STORE, 7,
    )  # fmt: skip
    assert stored.created_at is not None
    rows = {
        p.pk: (p.offer_id, p.rank, p.reason, p.held_out)
        for p in Presentation.objects.filter(decision=stored)
    }
    assert rows == {p.pk: (p.offer_id, p.rank, p.reason, p.held_out) for p in presentations}
    assert not any(p._state.adding for p in [decision, *presentations])


def test_a_decision_without_offers_is_recorded_too(impl):
    decision, presentations = _decision_with([], CampaignFactory())
    impl.record_decision(decision, presentations)
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_a_decision_recorded_inside_a_transaction_that_rolls_back_is_not_kept(impl):
    offer = OfferFactory()
    decision, presentations = _decision_with([offer], CampaignFactory(offers=[offer]))
    with pytest.raises(RuntimeError), store_transaction():
        impl.record_decision(decision, presentations)
        raise RuntimeError("the caller's transaction fails")
    assert not Decision.objects.filter(pk=decision.pk).exists()
    assert not Presentation.objects.filter(decision_id=decision.pk).exists()


def store_transaction():
    from django.db import transaction

    return transaction.atomic()


# --- contact history for many customers ---------------------------------------------------------


def test_contact_history_of_many_customers_names_those_with_any_up_to_now(impl):
    # Given three customers: one with two responses, one with one only after "now", one with none
    now = timezone.now()
    offer = OfferFactory()
    campaign = CampaignFactory(offers=[offer])
    busy, later, quiet = CustomerFactory(), CustomerFactory(), CustomerFactory()
    before = now - timezone.timedelta(days=1)
    _respond(busy, offer, campaign, Outcome.ACCEPTED, at=before)
    _respond(busy, offer, campaign, Outcome.LATER, at=now)
    _respond(later, offer, campaign, Outcome.ACCEPTED, at=now + timezone.timedelta(minutes=1))

    # When the store is asked for the history of them all, among more ids than one batch holds
    ids = [busy.pk, later.pk, quiet.pk, *range(10**9, 10**9 + 6_000)]
    found = impl.contact_history(ids, now)

    # Then only the customer with responses up to now is named, with both of them
    assert list(found) == [busy.pk]
    assert sorted(found[busy.pk], key=lambda row: row[3]) == [
        (campaign.pk, offer.pk, Outcome.ACCEPTED, before, None),
        (campaign.pk, offer.pk, Outcome.LATER, now, None),
    ]


# --- members outside the control group ---------------------------------------------------------


def test_members_outside_the_control_group_are_the_ones_it_does_not_hold(impl):
    # Given a version of 30 members whose control group holds half the buckets
    customers = [CustomerFactory() for _ in range(30)]
    group = target_group(
        CampaignFactory(), [{"customer": c, "propensity": i / 100} for i, c in enumerate(customers)]
    )
    TargetGroupVersion.objects.filter(pk=group.active_version_id).update(
        control_code="CONTRACT", control_share=Decimal(50)
    )
    version = TargetGroupVersion.objects.get(pk=group.active_version_id)
    outside = [
        (c.pk, i / 100) for i, c in enumerate(customers) if not version.in_control(c.external_id)
    ]
    assert 0 < len(outside) < len(customers)

    # When the store reads the members' fields without the control group
    rows = impl.members_outside_control(
        TargetGroupMember.objects.filter(version=version), version, "customer__pk", "propensity"
    )

    # Then exactly the members outside it come back, with the fields asked for
    assert sorted(rows) == outside


# --- staging and activating a target-group version -----------------------------------------


@pytest.fixture
def load_world(inbox):
    offer = OfferFactory(code="DATA-20")
    campaign = CampaignFactory(code="UP-DATA", offers=[offer], control_share=Decimal("50"))
    customers = [CustomerFactory(external_id=f"C{n:04d}") for n in range(1, 6)]
    path = inbox / "target_group__UP-DATA__20261123.csv"
    path.write_text(
        "customer_id,offer_code,propensity,expected_value,rank\n"
        "C0001,DATA-20,0.5,12.50,1\n"
        "C0002,,0.25,,2\n"
        "C9999,DATA-20,0.5,1,3\n"  # not in the snapshot
        "C0003,DATA-20,high,1,4\n"  # not a number
        "C0004,DATA-20,0.75,3,5\n"
    )
    return campaign, customers, files.parse_name(path)


def _new_version(campaign, info, impl):
    group, _ = TargetGroup.objects.get_or_create(campaign=campaign)
    version = TargetGroupVersion.objects.create(
        target_group=group, control_code=campaign.code, control_share=campaign.control_share
    )
    run = LoadRun.objects.create(
        kind=LoadKind.TARGET_GROUP, target_group=group, target=campaign.code,
        file_name=info.path.name, sha256=f"contract-{version.pk}", status=LoadStatus.RUNNING,
        started_by="test", version=version, rows_total=5,
    )  # fmt: skip
    if impl is portable and store.is_postgresql():
        # The portable path writes members into the member table, which PostgreSQL
        # partitions by version: the version gets its partition first.
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE campaigns_targetgroupmember_v{version.pk}"
                f" PARTITION OF campaigns_targetgroupmember FOR VALUES IN ({version.pk})"
            )
    return run, version


def _stage(impl, session, run, version, campaign, info):
    done = []
    counts = impl.stage_members(
        session, run=run, info=info, version=version, campaign=campaign,
        progress=lambda _run, rows: done.append(rows),
    )  # fmt: skip
    return counts, done


def _members_of(version) -> list[str]:
    return sorted(
        TargetGroupMember.objects.filter(version=version).values_list("customer_id", flat=True)
    )


def test_a_staged_version_is_checked_and_goes_live_only_when_activated(impl, load_world):
    # Given a target-group file of five rows, two of which break a rule
    campaign, customers, info = load_world
    run, version = _new_version(campaign, info, impl)

    with impl.load_session() as session:
        # When the store stages it
        (loaded, rejected, control), progress = _stage(impl, session, run, version, campaign, info)

        # Then three rows are loaded and two rejected with their lines, the control group is
        # counted as the version decides it, and nothing is live yet
        assert (loaded, rejected) == (3, 2)
        assert control == sum(version.in_control(c) for c in ("C0001", "C0002", "C0004"))
        assert sorted(LoadReject.objects.filter(run=run).values_list("line", "reason")) == [
            (4, "unknown_customer"),
            (5, "bad_number"),
        ]
        assert progress and progress[-1] == 5
        assert TargetGroup.objects.get(campaign=campaign).active_version_id is None

        # When the store activates it
        now = timezone.now()
        impl.activate(session, run=run, version=version, loaded=3, control=control, now=now)

    # Then it is the live version, with its members and counts, and the run has ended
    group = TargetGroup.objects.get(campaign=campaign)
    assert group.active_version_id == version.pk
    version.refresh_from_db()
    assert (version.activated_at, version.member_count, version.control_count) == (
        now, 3, control,
    )  # fmt: skip
    assert _members_of(version) == ["C0001", "C0002", "C0004"]
    member = TargetGroupMember.objects.get(version=version, customer_id="C0001")
    assert (member.offer_id, member.propensity, member.expected_value, member.rank) == (
        "DATA-20", 0.5, Decimal("12.50"), 1,
    )  # fmt: skip
    run.refresh_from_db()
    assert (run.status, run.finished_at, run.rows_done) == (LoadStatus.SUCCEEDED, now, 5)


def test_a_second_activation_retires_the_version_it_replaces(impl, load_world):
    campaign, _customers, info = load_world
    versions = []
    for _ in range(2):
        run, version = _new_version(campaign, info, impl)
        with impl.load_session() as session:
            (loaded, _rejected, control), _ = _stage(impl, session, run, version, campaign, info)
            impl.activate(
                session, run=run, version=version, loaded=loaded, control=control,
                now=timezone.now(),
            )  # fmt: skip
        versions.append(version)
    old, new = (TargetGroupVersion.objects.get(pk=v.pk) for v in versions)
    assert old.retired_at is not None and new.retired_at is None
    assert TargetGroup.objects.get(campaign=campaign).active_version_id == new.pk
    assert _members_of(old) == _members_of(new) == ["C0001", "C0002", "C0004"]


def test_an_unfinished_version_is_discarded_and_a_replaced_one_dropped(impl, load_world):
    # Given a version staged but never activated, and one live
    campaign, _customers, info = load_world
    live_run, live = _new_version(campaign, info, impl)
    with impl.load_session() as session:
        (loaded, _rejected, control), _ = _stage(impl, session, live_run, live, campaign, info)
        impl.activate(
            session, run=live_run, version=live, loaded=loaded, control=control,
            now=timezone.now(),
        )  # fmt: skip
    run, unfinished = _new_version(campaign, info, impl)
    with impl.load_session() as session:
        _stage(impl, session, run, unfinished, campaign, info)

        # When the store discards what the unfinished load left
        impl.discard_members(session, run_id=run.pk, version_id=unfinished.pk)

    # Then its members are gone and the live ones stay
    assert _members_of(unfinished) == []
    assert _members_of(live) == ["C0001", "C0002", "C0004"]

    # And when the live version's members are dropped (pruning), they are gone too
    with impl.load_session() as session:
        impl.drop_version_members(session, version_id=live.pk)
    assert not TargetGroupMember.objects.filter(version_id=live.pk).exists()


def test_a_free_lock_is_taken_and_freed_with_its_session(impl):
    with impl.load_session() as session:
        assert impl.try_lock(session, "cvm-load:CONTRACT") is True
    with impl.load_session() as session:
        assert impl.try_lock(session, "cvm-load:CONTRACT") is True


@pytest.mark.postgres
def test_on_postgresql_a_lock_held_by_one_session_is_refused_to_another():
    with fast.load_session() as first, fast.load_session() as second:
        assert fast.try_lock(first, "cvm-load:CONTRACT") is True
        assert fast.try_lock(second, "cvm-load:CONTRACT") is False


def test_a_load_session_given_is_used_and_left_open(impl):
    with impl.load_session() as outer, impl.load_session(outer) as inner:
        assert inner is outer
    if impl is fast:
        assert outer.closed


# --- claiming a lead (the delivery side's variant, chosen by the same seam) ----------------------


@pytest.fixture
def lists():
    w = outbound_world(3)
    build_lists()
    w.list_ids = list(Lead.objects.values_list("call_list_id", flat=True).distinct())
    return w


def test_a_claim_hands_out_the_best_waiting_lead_with_its_customer_and_history(claim, lists):
    # Given an agent, and the best customer of the list declined an offer yesterday
    agent = outbound_agent(lists.site)
    best = lists.customers[0]
    reason = DeclineReason.objects.create(code="later", label="Later", suppression_days=None)
    yesterday = timezone.now() - timezone.timedelta(days=1)
    _respond(best, lists.offer, lists.campaign, Outcome.DECLINED, at=yesterday, reason=reason)

    # When the agent claims a lead
    claimed = claim(agent.pk, lists.list_ids, timezone.now(), which="both")

    # Then they get the best customer's lead, assigned to them, with what the screen needs
    lead = Lead.objects.get(pk=claimed.lead.pk)
    assert (lead.customer_id, lead.state, lead.assigned_to_id) == (
        best.pk, LeadState.ASSIGNED, agent.pk,
    )  # fmt: skip
    assert (claimed.lead.customer.external_id, claimed.campaign_id) == (
        best.external_id, lists.campaign.pk,
    )  # fmt: skip
    assert claimed.history == [
        (lists.campaign.pk, lists.offer.pk, Outcome.DECLINED, yesterday, None)
    ]


def test_a_claim_while_the_agent_holds_a_lead_gives_nothing(claim, lists):
    agent = outbound_agent(lists.site)
    assert claim(agent.pk, lists.list_ids, timezone.now(), which="both") is not None
    assert claim(agent.pk, lists.list_ids, timezone.now(), which="both") is None
    assert Lead.objects.filter(assigned_to=agent).count() == 1


def test_a_claim_gives_nothing_when_no_lead_is_waiting_or_due(claim, lists):
    agent = outbound_agent(lists.site)
    Lead.objects.update(due_at=timezone.now() + timezone.timedelta(hours=1))
    assert claim(agent.pk, lists.list_ids, timezone.now(), which="both") is None
    Lead.objects.update(state=LeadState.DONE, due_at=timezone.now())
    assert claim(agent.pk, lists.list_ids, timezone.now(), which="both") is None


def test_a_personal_callback_goes_only_to_its_agent(claim, lists):
    mine, theirs = outbound_agent(lists.site), outbound_agent(lists.site)
    callback = Lead.objects.order_by("score").first()  # the worst: only a callback comes first
    Lead.objects.filter(pk=callback.pk).update(is_callback=True, callback_agent=mine)
    now = timezone.now()
    assert claim(theirs.pk, lists.list_ids, now, which="callbacks") is None
    assert claim(mine.pk, lists.list_ids, now, which="callbacks").lead.pk == callback.pk


@pytest.mark.postgres
def test_two_claims_of_one_agent_racing_past_the_check_hand_out_one_lead(claim, lists):
    # Given another connection that has just given the agent a lead, not yet committed (the
    # first of two presses at once: the second's check cannot see it)
    agent = outbound_agent(lists.site)
    first, second = Lead.objects.order_by("-score")[:2]
    s = connection.settings_dict
    other = psycopg.connect(dbname=s["NAME"], user=s["USER"] or None, host=s["HOST"] or None,
                            port=s["PORT"] or None)  # fmt: skip
    with other.cursor() as cur:
        cur.execute(
            "UPDATE channels_lead SET state = 'assigned', assigned_to_id = %s, assigned_at = now()"
            " WHERE id = %s",
            [agent.pk, first.pk],
        )
    commit = threading.Timer(0.5, other.commit)
    commit.start()
    try:
        # When the second press claims while the first commits
        started, refused = time.monotonic(), False
        try:
            claimed = claim(agent.pk, lists.list_ids, timezone.now(), which="both")
        except claims.HoldsALead:
            claimed, refused = None, True
    finally:
        commit.join()
        other.close()

    # Then it waited for the first and handed out nothing: the agent holds the first lead only.
    # PostgreSQL's claim skipped the locked lead and took the next, which the one-lead-per-agent
    # index refused; the portable claim (no SKIP LOCKED) waited on the first lead and found it
    # taken.
    assert claimed is None
    assert refused is (claim is claims.claim_and_read)
    assert time.monotonic() - started >= 0.4
    assert list(Lead.objects.filter(assigned_to=agent).values_list("pk", flat=True)) == [first.pk]
    assert Lead.objects.get(pk=second.pk).state == LeadState.WAITING
