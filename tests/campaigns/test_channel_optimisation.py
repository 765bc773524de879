"""The channel optimisation report against a small world counted by hand, the what-if's
arithmetic, the support-routing policy it saves, and who may see the page.

The world (period 1 May – 30 June 2026; inbound call 10.00 a contact, 12.00 from 1 June; app
0.50; store 8.00):

    A postpaid/gold, prefers inbound call: inbound 10 May (resolved), inbound 10 June (not),
                                           app 11 June (resolved, self-service)
    B postpaid/gold, prefers app:           inbound 20 May (resolved), app 15 June (not, self-service)
    C postpaid/gold, no preference:         store 1 June (resolved); inbound 1 April (outside)
    D prepaid/bronze, prefers app:          app 5 May (resolved, self-service), inbound 20 June (resolved)
    E prepaid/bronze, prefers app:          no contact
    A activated a product worth 100.00 on 15 May; D one worth 20.00 on 15 July (outside).
"""

from datetime import date
from decimal import Decimal

import pytest

from campaigns.choices import ChannelKind, LoadKind, LoadStatus, Segment, ValueTier
from campaigns.models import (
    ChannelCost,
    Conversion,
    LoadRun,
    ServiceContact,
    SupportRoutingPolicy,
)
from campaigns.optimisation import report, whatif
from campaigns.optimisation.forms import WhatIfForm
from campaigns.optimisation.policy import RuleChange, options_for, save_policy
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, ProductFactory

SINCE, UNTIL = date(2026, 5, 1), date(2026, 6, 30)
PERIOD = {"since": "2026-05-01", "until": "2026-06-30"}
IN, APP, STORE = ChannelKind.INBOUND_CALL, ChannelKind.APP, ChannelKind.STORE


def contact(run, customer, channel, day, resolved, self_service=False):
    ServiceContact.objects.create(
        customer=customer,
        channel_kind=channel,
        reason="Billing",
        contacted_on=day,
        resolved_first_contact=resolved,
        self_service=self_service,
        load_run=run,
    )


@pytest.fixture
def world(db):
    for channel, cost, since in (
        (IN, "10.00", date(2026, 1, 1)),
        (IN, "12.00", date(2026, 6, 1)),
        (APP, "0.50", date(2026, 1, 1)),
        (STORE, "8.00", date(2026, 1, 1)),
    ):
        ChannelCost.objects.create(
            channel_kind_id=channel, cost_per_contact=cost, effective_from=since
        )
    gold = {"segment": Segment.POSTPAID, "value_tier": ValueTier.GOLD}
    bronze = {"segment": Segment.PREPAID, "value_tier": ValueTier.BRONZE}
    a = CustomerFactory(external_id="A", preferred_channel=IN, **gold)
    b = CustomerFactory(external_id="B", preferred_channel=APP, **gold)
    c = CustomerFactory(external_id="C", preferred_channel="", **gold)
    d = CustomerFactory(external_id="D", preferred_channel=APP, **bronze)
    e = CustomerFactory(external_id="E", preferred_channel=APP, **bronze)
    run = LoadRun.objects.create(
        kind=LoadKind.SERVICE_CONTACTS,
        target="contacts",
        file_name="contacts__20261201.csv",
        status=LoadStatus.SUCCEEDED,
        started_by="test",
    )
    contact(run, a, IN, date(2026, 5, 10), True)
    contact(run, a, IN, date(2026, 6, 10), False)
    contact(run, a, APP, date(2026, 6, 11), True, True)
    contact(run, b, IN, date(2026, 5, 20), True)
    contact(run, b, APP, date(2026, 6, 15), False, True)
    contact(run, c, STORE, date(2026, 6, 1), True)
    contact(run, c, IN, date(2026, 4, 1), True)  # before the period
    contact(run, d, APP, date(2026, 5, 5), True, True)
    contact(run, d, IN, date(2026, 6, 20), True)
    product = ProductFactory(code="FIBRE-1G")
    for customer, day, value in ((a, date(2026, 5, 15), "100.00"), (d, date(2026, 7, 15), "20")):
        Conversion.objects.create(
            customer=customer, product=product, activated_on=day, value=value, load_run=run
        )
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_the_report_gives_the_hand_counted_figures_per_segment_and_tier(world):
    built = report.build(SINCE, UNTIL)
    groups = {(g.segment, g.tier): g for g in built.groups}
    gold = groups[(Segment.POSTPAID, ValueTier.GOLD)]
    assert (gold.customers, gold.contacts) == (3, 6)
    assert gold.by_channel == {IN: 3, APP: 2, STORE: 1}
    assert gold.cost == Decimal("41.00")  # 10 + 12 (June's price) + 0.5 + 10 + 0.5 + 8
    assert gold.cost_per_contact == Decimal("6.83")
    assert (gold.preferred_pct, gold.fcr_pct, gold.self_service_pct) == (60.0, 66.7, 33.3)
    assert gold.value == Decimal("100.00")
    bronze = groups[(Segment.PREPAID, ValueTier.BRONZE)]
    assert (bronze.customers, bronze.contacts, bronze.cost) == (2, 2, Decimal("12.50"))
    assert (bronze.preferred_pct, bronze.fcr_pct, bronze.self_service_pct) == (50.0, 100.0, 50.0)
    assert bronze.value == Decimal("0")
    assert (built.total.customers, built.total.contacts, built.total.cost) == (
        5, 8, Decimal("53.50"),
    )  # fmt: skip
    assert built.channels == [STORE, IN, APP]  # the channel list's order, only those used


def test_a_contact_on_a_day_without_a_price_counts_but_costs_nothing(world):
    ChannelCost.objects.filter(channel_kind=STORE).update(effective_from=date(2026, 6, 2))
    gold = next(g for g in report.build(SINCE, UNTIL).groups if g.tier == ValueTier.GOLD)
    assert (gold.contacts, gold.unpriced, gold.cost) == (6, 1, Decimal("33.00"))
    assert gold.cost_per_contact == Decimal("6.60")  # 33 over the 5 priced contacts


def scenario(**changes):
    values = {
        "segment": Segment.POSTPAID, "tier": ValueTier.GOLD, "from_channel": IN,
        "to_channel": APP, "share": Decimal("50"), "since": SINCE, "until": UNTIL,
    }  # fmt: skip
    return whatif.Scenario(**{**values, **changes})


def test_the_what_if_works_out_cost_preference_and_resolution(world):
    o = whatif.run(scenario())
    assert (o.from_contacts, o.moved) == (3, 2)  # 3 × 50 % = 1.5, rounded half up
    assert (o.from_price, o.to_price, o.saved) == (
        Decimal("12.00"), Decimal("0.50"), Decimal("23.00"),
    )  # fmt: skip
    assert (o.customers, o.preferring_from, o.pushed, o.pushed_pct) == (3, 1, 1, 33.3)
    # (4 − 2 × 2/3 + 2 × 1/2) ÷ 6 = 61.1 %, from 66.7 %
    assert (o.from_fcr, o.to_fcr, o.fcr_before, o.fcr_after, o.fcr_change) == (
        66.7, 50.0, 66.7, 61.1, -5.6,
    )  # fmt: skip
    assert o.problems == ()


def test_the_what_if_says_when_a_figure_cannot_be_had(world):
    nothing = whatif.run(scenario(from_channel=ChannelKind.WEB))
    assert nothing.moved == 0 and "nothing to move" in nothing.problems[0]
    unknown = whatif.run(scenario(to_channel=ChannelKind.CHATBOT))
    assert unknown.saved is None and unknown.fcr_change is None
    assert any("no cost per contact" in p for p in unknown.problems)
    assert any("resolution is unknown" in p for p in unknown.problems)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"to_channel": IN}, "to_channel", "Choose another channel"),
        ({"share": "100.5"}, "share", "between 0 and 100"),
        ({"share": "-1"}, "share", "between 0 and 100"),
        ({"share": ""}, "share", "This field is required"),
    ],
)
def test_the_what_if_form_refuses_with_a_clear_message(changes, field, message):
    data = {"segment": "postpaid", "tier": "", "from_channel": IN, "to_channel": APP, "share": "50"}
    form = WhatIfForm({**data, **changes})
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_saved_policy_gives_the_segment_options_and_the_preference_exception_first(
    world, make_user
):
    manager = make_user(Role.CVM_MANAGER)
    first = save_policy(
        user=manager,
        name="Gold to call-back",
        changes=[
            RuleChange(Segment.POSTPAID, "", "", ["call_back", "chat"]),
            RuleChange(Segment.POSTPAID, "", APP, ["self_service"]),
        ],
        scenario={},
    )
    assert options_for(world["A"]) == (1, ["call_back", "chat"])
    assert options_for(world["B"]) == (1, ["self_service"])  # prefers the app
    assert options_for(world["D"]) == (1, [])  # prepaid: no rule
    second = save_policy(
        user=manager,
        name="Gold tier gets an agent",
        changes=[RuleChange(Segment.POSTPAID, ValueTier.GOLD, "", ["agent"])],
        scenario={},
    )
    first.refresh_from_db()
    assert (first.is_active, second.is_active, second.version) == (False, True, 2)
    assert first.retired_at is not None
    assert SupportRoutingPolicy.objects.filter(is_active=True).count() == 1
    assert options_for(world["A"]) == (2, ["agent"])  # the tier's rule over the segment's
    assert options_for(world["B"]) == (2, ["self_service"])  # the exception still first
    assert second.rules.count() == 3  # the earlier version's rules were carried over


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER)
    client.force_login(user)
    return user


def test_a_manager_sees_the_report_with_its_charts_and_tables(world, client, manager):
    response = client.get("/cvm/optimisation/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-cost-data"' in html and 'id="chart-shares-data"' in html
    assert "Consumer postpaid · Gold" in html and "66.7%" in html and "41" in html
    assert "No service contacts in this period" not in html


def test_the_report_csv_holds_the_table_figures(world, client, manager):
    response = client.get("/cvm/optimisation/export.csv", {**PERIOD, "table": "segments"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "Consumer postpaid · Gold,3,6,41.0,6.83,60.0,66.7,33.3,100.0" in text
    assert client.get("/cvm/optimisation/export.csv", {**PERIOD, "table": "x"}).status_code == 404


def test_an_empty_period_explains_the_contacts_file(world, client, manager):
    response = client.get("/cvm/optimisation/", {"since": "2025-01-01", "until": "2025-01-31"})
    html = response.content.decode()
    assert "No service contacts in this period" in html and "contacts__YYYYMMDD.csv" in html


def test_the_what_if_shows_its_arithmetic_and_saves_as_the_policy(world, client, manager):
    asked = {**PERIOD, "segment": "postpaid", "tier": "gold", "from_channel": IN,
             "to_channel": APP, "share": "50"}  # fmt: skip
    html = client.get("/cvm/optimisation/", asked).content.decode()
    assert "3 contacts in Inbound call × 50.0% = 2" in html
    assert 'id="whatif-saved">PLN\xa023.00' in html
    saved = client.post(
        "/cvm/optimisation/policy/",
        {
            **asked,
            "name": "Move to app",
            "options": ["chat"],
            "exception_channel": IN,
            "exception_options": ["agent"],
        },  # fmt: skip
    )
    assert saved.status_code == 302
    policy = SupportRoutingPolicy.objects.get(is_active=True)
    assert (policy.name, policy.created_by, policy.scenario["figures"]["moved"]) == (
        "Move to app", manager, 2,
    )  # fmt: skip
    assert options_for(world["A"]) == (1, ["agent"])  # prefers inbound calls: the exception
    assert options_for(world["B"]) == (1, ["chat"])
    page = client.get("/cvm/optimisation/").content.decode()
    assert "Version 1, “Move to app”" in page


def test_saving_refuses_self_service_with_other_options(world, client, manager):
    response = client.post(
        "/cvm/optimisation/policy/",
        {
            **PERIOD,
            "segment": "postpaid",
            "tier": "",
            "from_channel": IN,
            "to_channel": APP,
            "share": "50",
            "name": "x",
            "options": ["self_service", "chat"],
        },  # fmt: skip
    )
    assert response.status_code == 400
    assert "cannot be combined" in response.content.decode()
    assert not SupportRoutingPolicy.objects.exists()


def test_agents_get_403_and_strangers_the_sign_in_page(world, client, make_user):
    assert client.get("/cvm/optimisation/").status_code == 302
    client.force_login(make_user(Role.AGENT))
    assert client.get("/cvm/optimisation/").status_code == 403
    assert client.get("/cvm/optimisation/export.csv", {"table": "segments"}).status_code == 403
    assert client.post("/cvm/optimisation/policy/", {}).status_code == 403


def test_the_page_takes_no_other_method(world, client, manager):
    assert client.post("/cvm/optimisation/", PERIOD).status_code == 405
    assert client.get("/cvm/optimisation/policy/").status_code == 405
