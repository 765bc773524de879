"""Contact preferences recorded in the console: a withdrawal applies at once to every channel's
decisions and to the outbound claims, is audited, and is kept over the nightly snapshot until
the warehouse catches up or sends a newer change."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Exclusion, LoadStatus
from campaigns.decisioning import decide
from campaigns.loads import files, runs
from campaigns.models import ContactPreferenceChange, Customer, PreferenceSource
from campaigns.preferences import SnapshotOverrides, withdraw
from channels.choices import LeadState
from channels.models import Lead
from channels.outbound.claiming import next_lead
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    SiteFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
    user_with_role,
)

STORE, OUT = ChannelKind.STORE, ChannelKind.OUTBOUND_CALL


@pytest.fixture
def agent(db):
    return user_with_role(Role.AGENT, username="store-agent", site=SiteFactory(code="WAW-01"))


def site_of(user) -> int:
    return user.agent_profile.site_id


@pytest.fixture
def customer(db):
    """A customer with every consent, in a live campaign that runs in stores and on calls."""
    customer = CustomerFactory(
        external_id="C0001",
        phone="+48501000001",
        consent_marketing=True,
        consent_calls=True,
        consent_sms=True,
        consent_app_push=True,
        consent_digital=True,
    )
    offer = OfferFactory(channel_kinds=[STORE, OUT])
    OfferContentFactory(offer=offer, channel_kind=STORE)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE, OUT]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.6}])
    return customer


def exclusions(customer, kind) -> set[str]:
    """Why the customer's one offer is not shown in ``kind`` now; empty: it is shown."""
    result = decide(customer=Customer.objects.get(pk=customer.pk), channel_kind=kind)
    return set() if result.offers else {c.excluded for c in result.excluded}


# --- the service: immediate, audited, only withdrawals ------------------------------------------


def test_a_withdrawn_consent_stops_offers_in_its_channels_at_the_next_decision(agent, customer):
    # Given a customer shown offers in stores and on calls
    assert exclusions(customer, STORE) == set() and exclusions(customer, OUT) == set()
    # When the customer withdraws the consent for offers during service contacts
    withdraw(customer=customer, fields=["consent_marketing"], agent=agent)
    # Then the next store decision shows nothing for lack of consent, while calls still may
    assert exclusions(customer, STORE) == {Exclusion.NO_CONSENT}
    assert exclusions(customer, OUT) == set()


def test_do_not_contact_stops_every_channel_at_once(agent, customer):
    withdraw(customer=customer, fields=["do_not_contact"], agent=agent)
    assert exclusions(customer, STORE) == {Exclusion.DO_NOT_CONTACT}
    assert exclusions(customer, OUT) == {Exclusion.DO_NOT_CONTACT}
    customer.refresh_from_db()
    assert customer.do_not_contact_since is not None


def test_a_withdrawal_is_recorded_with_who_where_when_and_what_changed(agent, customer):
    # When the agent records two withdrawals at once
    before = timezone.now()
    changes = withdraw(
        customer=customer,
        fields=["consent_sms", "consent_calls"],
        agent=agent,
        site_id=site_of(agent),
    )
    # Then each field is one change, in the fixed order, from the console, by this agent
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("consent_calls", True, False),
        ("consent_sms", True, False),
    ]
    stored = ContactPreferenceChange.objects.filter(customer=customer).order_by("field")
    assert {(c.source, c.agent_id, c.site_id) for c in stored} == {
        (PreferenceSource.CONSOLE, agent.pk, site_of(agent))
    }
    assert all(c.at >= before and c.retired_at is None for c in stored)
    # And the audit trail says who changed whose preferences, and how
    event = AuditEvent.objects.get(action="contact_preference")
    assert (event.user, event.object_id) == (agent, str(customer.pk))
    assert event.detail == "console: consent_calls yes→no; consent_sms yes→no"


def test_withdrawing_what_is_already_withdrawn_records_nothing(agent, customer):
    withdraw(customer=customer, fields=["consent_calls"], agent=agent)
    again = withdraw(customer=customer, fields=["consent_calls"], agent=agent)  # a double click
    assert again == []
    assert ContactPreferenceChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="contact_preference").count() == 1


def test_an_agent_cannot_give_consent_or_lift_do_not_contact(agent):
    # Given a customer who never consented to calls and asked not to be contacted
    customer = CustomerFactory(consent_calls=False, do_not_contact=True)
    # Then nothing the service accepts can give consent or lift the mark
    for fields in (["consent_calls_given"], ["grant"], []):
        with pytest.raises(ValidationError):
            withdraw(customer=customer, fields=fields, agent=agent)
    assert (
        withdraw(customer=customer, fields=["consent_calls", "do_not_contact"], agent=agent) == []
    )
    customer.refresh_from_db()
    assert (customer.consent_calls, customer.do_not_contact) == (False, True)
    # And the database refuses a console change that gives consent, whoever writes it
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPreferenceChange.objects.create(
            customer=customer,
            field="consent_calls",
            old_value=False,
            new_value=True,
            source=PreferenceSource.CONSOLE,
            agent=agent,
            at=timezone.now(),
        )


# --- outbound: today's lists ----------------------------------------------------------------------


def test_a_withdrawn_call_consent_takes_the_customer_off_todays_list_at_the_next_claim(db):
    # Given today's list with the best customer first
    w = outbound_world(2)
    build_lists()
    best, second = w.customers
    agent = outbound_agent(w.site)
    # When the best customer withdraws consent to marketing calls (told to another agent)
    withdraw(customer=best, fields=["consent_calls"], agent=outbound_agent(w.site))
    # Then the next press hands out the second customer, and the first is skipped with why
    got = next_lead(agent=agent)
    assert got.lead is not None and got.lead.customer_id == second.pk
    skipped = Lead.objects.get(customer=best)
    assert (skipped.state, skipped.skip_code) == (LeadState.SKIPPED, Exclusion.NO_CONSENT)


def test_a_list_built_after_a_withdrawal_leaves_the_customer_out(db):
    w = outbound_world(2)
    withdraw(customer=w.customers[0], fields=["do_not_contact"], agent=outbound_agent(w.site))
    build_lists()
    assert list(Lead.objects.values_list("customer_id", flat=True)) == [w.customers[1].pk]


# --- the nightly snapshot ---------------------------------------------------------------------------

HEADER = (
    "customer_id,phone,name,segment,value_tier,customer_since,preferred_channel,"
    "consent_marketing,consent_calls,consent_sms,consent_app_push,consent_digital,"
    "do_not_contact,consent_changed_at\n"
)


def snapshot(inbox, day: int, *rows: str):
    """Load a customer snapshot of ``rows`` (name, calls, do-not-contact, consent_changed_at)."""
    name = f"customers__202611{day:02d}.csv"
    path = inbox / name
    path.write_text(HEADER + "".join(rows))
    path.with_name(name + ".ok").write_text("")
    run = runs.register_file(files.parse_name(path), started_by="test")
    run = runs.run_load(run_id=run.pk)
    assert run.status == LoadStatus.SUCCEEDED, run.error
    return run


def row(name="Anna", *, calls=1, dnc=0, changed="", external_id="C0001", phone="+48501000001"):
    return f"{external_id},{phone},{name},postpaid,silver,2020-01-31,,1,{calls},1,1,1,{dnc},{changed}\n"


def snapshot_db(test):
    """Snapshot tests commit: on PostgreSQL the loader may work on a connection of its own."""
    return pytest.mark.django_db(transaction=True, serialized_rollback=True)(test)


@snapshot_db
def test_the_next_snapshot_keeps_a_console_withdrawal(inbox, agent, customer):
    # Given calls withdrawn in the console
    withdraw(customer=customer, fields=["consent_calls", "do_not_contact"], agent=agent)
    since = Customer.objects.get(pk=customer.pk).do_not_contact_since
    # When the night's snapshot still has the old consents (the warehouse has not heard yet)
    snapshot(inbox, 23, row("Anna Nowak", calls=1, dnc=0))
    # Then the snapshot's other columns are loaded and the withdrawal stands, with its date
    customer.refresh_from_db()
    assert customer.name == "Anna Nowak"
    assert (customer.consent_calls, customer.do_not_contact) == (False, True)
    assert customer.do_not_contact_since == since
    assert ContactPreferenceChange.objects.filter(retired_at__isnull=True).count() == 2


@snapshot_db
def test_a_snapshot_with_the_same_value_retires_the_override(inbox, agent, customer):
    # Given a withdrawal the warehouse has caught up with
    withdraw(customer=customer, fields=["consent_calls"], agent=agent)
    snapshot(inbox, 22, row(calls=0))
    change = ContactPreferenceChange.objects.get()
    assert change.retired_at is not None
    # When the customer later consents again through the warehouse
    snapshot(inbox, 23, row(calls=1))
    # Then the snapshot's value is loaded: the retired withdrawal no longer overrides it
    assert Customer.objects.get(pk=customer.pk).consent_calls is True


@snapshot_db
def test_a_newer_warehouse_change_wins_and_an_older_one_does_not(inbox, agent, customer):
    # Given calls withdrawn in the console an hour ago
    recorded = timezone.now() - timedelta(hours=1)
    withdraw(customer=customer, fields=["consent_calls"], agent=agent, now=recorded)
    # When a snapshot carries a consent change older than that, then one newer
    older = timezone.localtime(recorded - timedelta(days=1)).date().isoformat()  # a date alone
    snapshot(inbox, 22, row(calls=1, changed=older))
    kept = Customer.objects.get(pk=customer.pk).consent_calls
    newer = (recorded + timedelta(minutes=30)).isoformat()
    snapshot(inbox, 23, row(calls=1, changed=newer))
    # Then the older change left the withdrawal standing, the newer one won
    assert kept is False
    assert Customer.objects.get(pk=customer.pk).consent_calls is True
    console, warehouse = ContactPreferenceChange.objects.order_by("at")
    assert console.retired_at is not None
    assert (warehouse.source, warehouse.field, warehouse.old_value, warehouse.new_value) == (
        PreferenceSource.WAREHOUSE,
        "consent_calls",
        False,
        True,
    )
    assert warehouse.at == recorded + timedelta(minutes=30) and warehouse.agent is None


@snapshot_db
def test_a_bad_or_future_consent_changed_at_rejects_the_row(inbox, agent, customer):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    run = snapshot(
        inbox,
        23,
        row(changed="yesterday"),
        row(changed=tomorrow, external_id="C0002", phone="+48501000002"),
        row(changed="2026-01-02 08:30", external_id="C0003", phone="+48501000003"),
    )
    assert list(run.rejects.order_by("line").values_list("line", "reason")) == [
        (2, "bad_date"),
        (3, "out_of_range"),
    ]
    assert Customer.objects.filter(external_id="C0003").exists()


def test_the_load_reads_a_batchs_overrides_in_one_query(agent, django_assert_num_queries):
    # Given five customers who withdrew calls, and one who withdrew calls but whose snapshot
    # row now agrees
    customers = [CustomerFactory(consent_calls=True) for _ in range(6)]
    for c in customers:
        withdraw(customer=c, fields=["consent_calls"], agent=agent)
    rows = [Customer(external_id=c.external_id, consent_calls=True) for c in customers[:5]]
    rows.append(Customer(external_id=customers[5].external_id, consent_calls=False))
    overrides = SnapshotOverrides(run=None, now=timezone.now())
    # When the load applies them to the batch: one read, one write of the retired override
    with django_assert_num_queries(2):
        overrides.before_write(rows, changed_at={})
    # Then every withdrawal is kept on its row
    assert [r.consent_calls for r in rows] == [False] * 6
    assert (overrides.kept, overrides.caught_up) == (5, 1)


def test_a_withdrawal_made_while_the_batch_is_written_is_put_back(agent, customer):
    # Given a batch the load has already checked for overrides
    overrides = SnapshotOverrides(run=None, now=timezone.now())
    rows = [Customer.objects.get(pk=customer.pk)]
    overrides.before_write(rows, changed_at={})
    # When the agent's withdrawal commits before the batch's upsert overwrites the row
    withdraw(customer=customer, fields=["consent_calls"], agent=agent)
    Customer.objects.filter(pk=customer.pk).update(consent_calls=True)  # the upsert
    overrides.after_write(rows)
    # Then the withdrawal is written back on top of the snapshot
    assert Customer.objects.get(pk=customer.pk).consent_calls is False


# --- the admin ------------------------------------------------------------------------------------------


def test_the_admin_lists_a_customers_changes_read_only(client, agent, customer):
    withdraw(customer=customer, fields=["consent_sms"], agent=agent, site_id=site_of(agent))
    manager = user_with_role(Role.CVM_MANAGER, username="manager")
    client.force_login(manager)
    page = client.get(f"/admin/campaigns/customer/{customer.pk}/change/").content.decode()
    assert "contact preference changes" in page.lower()
    assert "SMS and USSD messages" in page and "store-agent" in page
    assert "preference_changes-0-field" not in page  # shown, not editable


def test_a_consent_set_in_the_admin_ends_the_console_override(client, agent, customer):
    # Given calls withdrawn in the console, then given back by a CVM manager by hand
    withdraw(customer=customer, fields=["consent_calls"], agent=agent)
    admin = user_with_role(Role.ADMINISTRATOR, username="admin")
    client.force_login(admin)
    url = f"/admin/campaigns/customer/{customer.pk}/change/"
    data = {
        "external_id": customer.external_id,
        "name": customer.name,
        "phone": customer.phone,
        "segment": customer.segment,
        "value_tier": customer.value_tier,
        "customer_since": customer.customer_since.isoformat(),
        "preferred_channel": "",
        **dict.fromkeys(
            ["consent_marketing", "consent_calls", "consent_sms", "consent_app_push"], "on"
        ),
        "consent_digital": "on",
    }
    (inline,) = client.get(url).context["inline_admin_formsets"]  # as the browser sends it
    management = inline.formset.management_form
    data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    data.update({f.add_prefix("id"): f.instance.pk for f in inline.formset.forms})
    response = client.post(url, data)
    assert response.status_code == 302
    # Then the override is retired: the next snapshot would load the warehouse's value
    assert Customer.objects.get(pk=customer.pk).consent_calls is True
    assert ContactPreferenceChange.objects.get().retired_at is not None
