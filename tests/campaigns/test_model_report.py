"""The model report: deciles and lift of a hand-computed world, the warning when the learned
model is no better than its prior (and not otherwise), who may see it, its CSV, its drill-down."""

import csv
import io
import math

import pytest
from django.urls import reverse

from campaigns.choices import ChannelKind, Outcome, PropensitySource
from campaigns.learning_report import queries
from campaigns.learning_report.intervals import beta_cdf, beta_quantile, credible_interval
from campaigns.models import ContactPolicy
from cvm_portal.roles import Role
from tests.campaigns.model_report_world import ladder, learned_group, outcomes
from tests.factories import CampaignFactory, OfferFactory

pytestmark = pytest.mark.django_db

REPORT = reverse("campaigns:model_report")
CSV = reverse("campaigns:model_report_csv")


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER)
    client.force_login(user)
    return user


@pytest.fixture
def offer():
    return OfferFactory(title="More data", code="DATA-10")


@pytest.fixture
def campaign(offer):
    return CampaignFactory(offers=[offer], propensity_source=PropensitySource.LEARNED)


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def today_filters(**kw):
    from django.utils import timezone

    today = timezone.localdate()
    return queries.Filters(start=today, end=today, **kw)


# --- calibration ------------------------------------------------------------------------------


def test_deciles_and_lift_match_the_hand_computed_ladder(offer, campaign):
    outcomes(offer, campaign, ladder())
    # Not presented: no evidence, however likely they looked.
    outcomes(offer, campaign, [(0.999, Outcome.NOT_PRESENTED)] * 30)

    found = queries.calibration(today_filters())

    assert found.outcomes == 100
    assert found.accepted == 45
    assert [round(d.outcomes) for d in found.deciles] == [10] * 10
    assert [round(d.accepted) for d in found.deciles] == list(range(10))
    assert [round(d.predicted, 4) for d in found.deciles] == [
        (10 * d - 5) / 100 for d in range(1, 11)
    ]
    assert found.deciles[0].low == pytest.approx(0.005)  # to the 0.1-point bucket
    assert found.deciles[-1].high == pytest.approx(0.996)
    assert found.lift == pytest.approx(2.0)
    assert found.warnings == []


def test_a_presentation_without_a_likelihood_counts_at_the_policy_default(offer, campaign):
    ContactPolicy.objects.create(pk=1, default_propensity=0.25)
    outcomes(offer, campaign, [(None, Outcome.ACCEPTED), (0.75, Outcome.DECLINED)])

    found = queries.calibration(today_filters())

    assert found.predicted == pytest.approx(0.5)


def test_ties_are_shared_between_deciles_and_give_no_lift(offer, campaign):
    rows = [(0.2, Outcome.ACCEPTED)] * 30 + [(0.2, Outcome.DECLINED)] * 120

    found = queries.calibration(today_filters())
    assert found.outcomes == 0  # nothing yet: no decile, no lift
    outcomes(offer, campaign, rows)
    found = queries.calibration(today_filters())

    assert [d.outcomes for d in found.deciles] == pytest.approx([15] * 10)
    assert found.lift == pytest.approx(1.0)
    assert found.warnings == [queries.LOW_LIFT]


def test_the_calibration_keeps_to_the_campaign_and_channel_chosen(offer, campaign):
    other = CampaignFactory(offers=[offer])
    outcomes(offer, campaign, [(0.3, Outcome.ACCEPTED)] * 3)
    outcomes(offer, other, [(0.3, Outcome.DECLINED)] * 5)
    outcomes(offer, campaign, [(0.3, Outcome.DECLINED)] * 7, kind=ChannelKind.INBOUND_CALL)

    assert queries.calibration(today_filters(campaign_id=campaign.pk)).outcomes == 10
    assert queries.calibration(today_filters(channel_kind=ChannelKind.STORE)).outcomes == 8
    assert queries.calibration(today_filters()).outcomes == 15


# --- learned against prior: the warning -------------------------------------------------------


def test_a_learned_group_whose_prior_was_right_is_no_better_than_the_prior(offer):
    # Observed 20 of 100 = the prior's 20 %: left-one-out, the learned mean only adds noise.
    group = learned_group(offer, prior=0.2, presented=100, accepted=20)

    found = queries.group_learned(group)

    assert found.brier_learned > found.brier_prior == pytest.approx(0.16)
    assert found.verdict == queries.NO_BETTER


def test_a_learned_group_that_corrects_a_wrong_prior_is_better(offer):
    group = learned_group(offer, prior=0.05, presented=400, accepted=160)

    found = queries.group_learned(group)

    assert found.brier_learned < found.brier_prior
    assert found.verdict == queries.BETTER


def test_with_little_evidence_there_is_nothing_to_judge(offer):
    group = learned_group(offer, prior=0.05, presented=queries.MIN_EVIDENCE - 1, accepted=60)

    assert queries.group_learned(group).verdict == queries.TOO_LITTLE


def test_the_sql_sums_agree_with_the_groups_one_by_one(offer):
    groups = [
        learned_group(offer, prior=0.1, presented=150, accepted=40, segment="prepaid"),
        learned_group(offer, prior=0.3, presented=60, accepted=10, segment="postpaid"),
        learned_group(offer, prior=0.2, presented=0, accepted=0, segment="corporate"),
    ]
    one_by_one = [queries.group_learned(g) for g in groups]

    found = queries.learned(today_filters())[(offer.pk, ChannelKind.STORE)]

    n = sum(g.presented for g in one_by_one)
    assert found.presented == n == 210
    assert found.prior == pytest.approx((0.1 * 150 + 0.3 * 60) / 210)
    assert found.learned == pytest.approx(sum(g.mean * g.presented for g in groups) / 210)
    for score in ("brier_prior", "brier_learned"):
        by_hand = sum(getattr(g, score) * g.presented for g in one_by_one if g.presented) / n
        assert getattr(found, score) == pytest.approx(by_hand)


def test_the_page_warns_when_the_model_is_no_better_than_the_prior(client, manager, offer):
    learned_group(offer, prior=0.2, presented=500, accepted=100)

    response = client.get(REPORT)

    assert response.status_code == 200
    assert "The learned model is no better than the prior." in response.content.decode()
    assert "No better than the prior" in [
        row[-1].text for row in response.context["page"]["offers"].rows
    ]


def test_the_page_does_not_warn_when_the_model_beats_the_prior(client, manager, offer, campaign):
    learned_group(offer, prior=0.05, presented=500, accepted=200)
    outcomes(offer, campaign, ladder())

    response = client.get(REPORT)

    page = response.content.decode()
    assert "The learned model is no better than the prior." not in page
    assert "rows are no better" not in page and "row is no better" not in page
    assert "The learned model predicts better than the prior" in page
    assert "Too little evidence to judge" not in page
    assert "does not pick out" not in page


def test_the_page_says_when_the_evidence_is_too_little(client, manager, offer):
    learned_group(offer, prior=0.05, presented=10, accepted=9)

    response = client.get(REPORT)

    assert "Too little evidence to judge the learned model." in response.content.decode()


# --- the page, its CSV, its drill-down --------------------------------------------------------


def test_the_page_shows_each_offer_and_channel_with_its_figures(client, manager, offer, campaign):
    outcomes(offer, campaign, ladder())
    learned_group(offer, prior=0.1, presented=100, accepted=45)

    response = client.get(REPORT, {"campaign": campaign.pk})

    page = response.context["page"]
    (row,) = page["offers"].rows
    assert [str(c) if hasattr(c, "text") else c for c in row] == [
        "More data (DATA-10)", "Store", "Learned from outcomes", 100, 45, 45.0, 50.0,
        10.0, round(100 * (0.1 * 20 + 45) / 120, 1), 100, row[10], "Better than the prior",
    ]  # fmt: skip
    assert row[0].url.startswith(reverse("campaigns:model_report_offer", args=[offer.pk]))
    assert page["charts"]["calibration"]["series"][1]["data"] == [10.0 * d for d in range(10)]
    html = response.content.decode()
    assert 'data-chart="chart-calibration-data"' in html
    assert "2.00" in html  # the top decile's lift


def test_the_offers_csv_holds_the_same_cells(client, manager, offer, campaign):
    outcomes(offer, campaign, ladder())
    learned_group(offer, prior=0.1, presented=100, accepted=45)

    response = client.get(CSV, {"table": "offers"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert header[:6] == [
        "Offer", "Channel", "Likelihood used by the campaigns", "Outcomes", "Accepted",
        "Observed rate (%)",
    ]  # fmt: skip
    assert rows == [
        ["More data (DATA-10)", "Store", "Learned from outcomes", "100", "45", "45.0", "50.0",
         "10.0", "39.2", "100", rows[0][10], "Better than the prior"]
    ]  # fmt: skip


def test_the_calibration_csv_has_ten_deciles(client, manager, offer, campaign):
    outcomes(offer, campaign, ladder())

    rows = csv_rows(client.get(CSV, {"table": "calibration"}))

    assert len(rows) == 11
    assert rows[-1][2:] == ["10", "9", "95.0", "90.0", "2.0"]


def test_an_unknown_table_is_not_found(client, manager):
    assert client.get(CSV, {"table": "secrets"}).status_code == 404


def test_bad_filters_say_what_to_correct(client, manager):
    response = client.get(REPORT, {"since": "2026-05-02", "until": "2026-05-01"})

    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_an_empty_report_says_what_to_do(client, manager):
    response = client.get(REPORT)

    assert response.status_code == 200
    assert "No outcomes yet: learning starts when agents record outcomes." in (
        response.content.decode()
    )


def test_the_drill_down_shows_each_group_with_its_credible_interval(client, manager, offer):
    # Beta(1, 1): uniform, so its 90 % interval is 5 %–95 %.
    learned_group(offer, prior=0.5, weight=2, presented=0, accepted=0, segment="prepaid")
    learned_group(offer, prior=0.2, presented=100, accepted=20, segment="postpaid")

    response = client.get(
        reverse("campaigns:model_report_offer", args=[offer.pk]), {"channel": "store"}
    )

    assert response.status_code == 200
    rows = {row[1].text: row for row in response.context["groups"].rows}
    assert rows["Consumer prepaid"][9:11] == [5.0, 95.0]
    assert rows["Consumer postpaid"][-1].text == "No better than the prior"
    csv_response = client.get(reverse("campaigns:model_report_offer_csv", args=[offer.pk]))
    assert len(csv_rows(csv_response)) == 3


def test_the_drill_down_of_an_offer_with_nothing_learned_says_so(client, manager, offer):
    response = client.get(reverse("campaigns:model_report_offer", args=[offer.pk]))

    assert "Nothing learned for this offer yet." in response.content.decode()


def test_the_results_pages_link_to_the_report(client, manager, campaign):
    overview = client.get(reverse("campaigns:results")).content.decode()
    own = client.get(reverse("campaigns:campaign_results", args=[campaign.pk])).content.decode()

    assert f'href="{REPORT}"' in overview
    assert f'href="{REPORT}?campaign={campaign.pk}"' in own


# --- who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.TRAINER])
def test_other_roles_may_not_see_it(client, make_user, role, offer):
    client.force_login(make_user(role))
    for url in (REPORT, CSV, reverse("campaigns:model_report_offer", args=[offer.pk])):
        assert client.get(url).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(REPORT)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_administrator_may_see_it(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))

    assert client.get(REPORT).status_code == 200


def test_it_rejects_post(client, manager):
    assert client.post(REPORT).status_code == 405


def test_the_team_lead_sees_no_link_on_the_results(client, make_user):
    client.force_login(make_user(Role.TEAM_LEAD))

    assert REPORT not in client.get(reverse("campaigns:results")).content.decode()


# --- the credible interval --------------------------------------------------------------------


def test_beta_quantiles_match_closed_forms():
    # Beta(2, 1): F(x) = x², so the p quantile is √p; Beta(1, 3): 1 − (1 − p)^(1/3).
    assert beta_quantile(0.25, 2, 1) == pytest.approx(0.5, abs=1e-9)
    assert beta_quantile(0.5, 1, 3) == pytest.approx(1 - 0.5 ** (1 / 3), abs=1e-9)
    assert beta_cdf(0.3, 2, 5) == pytest.approx(0.579825, abs=1e-9)


def test_a_credible_interval_with_much_evidence_is_close_to_the_normal_one():
    a, b = 23_000, 77_000
    low, high = credible_interval(a, b, 0.9)
    mean, sd = a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))

    assert low == pytest.approx(mean - 1.6449 * sd, abs=2e-5)
    assert high == pytest.approx(mean + 1.6449 * sd, abs=2e-5)
