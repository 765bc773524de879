"""Training and offers: a notice next to an offer whose guide is not completed; a
training-required campaign's offers only for agents who passed (named in the decision)."""

import pytest

from campaigns.choices import ChannelKind, Exclusion
from campaigns.decisioning import decide
from channels.console.links import customer_url
from cvm_portal.roles import Role, roles_of
from tests.factories import make_guide, right_answers
from training.gating import guides_to_complete, untrained_campaigns
from training.progress import acknowledge, submit_quiz
from training.publishing import publish_guide

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE


def complete(user, guide):
    acknowledge(user=user, guide=guide)
    submit_quiz(user=user, guide=guide, answers=right_answers(guide))


def shown(result):
    return [c.offer.code for c in result.offers]


@pytest.fixture
def gated(campaign_world):
    campaign = campaign_world["campaign"]
    campaign.training_required = True
    campaign.save()
    return {**campaign_world, "guide": make_guide(campaigns=[campaign])}


def test_an_agent_who_has_not_passed_does_not_see_a_training_required_campaigns_offers(
    gated, agent
):
    result = decide(customer=gated["customer"], channel_kind=STORE, agent=agent)
    assert shown(result) == []
    [excluded] = result.excluded
    assert excluded.excluded == Exclusion.TRAINING_REQUIRED
    assert excluded.explanation == (
        f"{gated['campaign'].name} needs training first: complete “Fibre: the pitch” to see its offers."
    )


def test_acknowledging_without_passing_the_quiz_is_not_enough(gated, agent):
    acknowledge(user=agent, guide=gated["guide"])
    assert shown(decide(customer=gated["customer"], channel_kind=STORE, agent=agent)) == []


def test_once_the_agent_passes_the_offers_are_shown(gated, agent):
    complete(agent, gated["guide"])
    assert shown(decide(customer=gated["customer"], channel_kind=STORE, agent=agent)) == ["FIBRE"]


def test_a_material_change_gates_again_until_re_acknowledged(gated, agent, trainer):
    complete(agent, gated["guide"])
    publish_guide(guide=gated["guide"], by=trainer, material=True)
    gated["guide"].refresh_from_db()
    assert shown(decide(customer=gated["customer"], channel_kind=STORE, agent=agent)) == []
    acknowledge(user=agent, guide=gated["guide"])
    assert shown(decide(customer=gated["customer"], channel_kind=STORE, agent=agent)) == ["FIBRE"]


def test_requests_without_a_user_are_not_gated(gated):
    assert shown(decide(customer=gated["customer"], channel_kind=STORE)) == ["FIBRE"]


def test_a_campaign_that_does_not_require_training_is_not_gated(campaign_world, agent):
    make_guide(campaigns=[campaign_world["campaign"]])
    result = decide(customer=campaign_world["customer"], channel_kind=STORE, agent=agent)
    assert shown(result) == ["FIBRE"]


def test_without_a_guide_for_the_agent_the_offers_stay_hidden_and_the_reason_says_so(
    gated, make_user, site
):
    gated["guide"].channel_kinds = [ChannelKind.INBOUND_CALL]  # not for store agents
    gated["guide"].save()
    agent = make_user(Role.AGENT, site=site)
    result = decide(customer=gated["customer"], channel_kind=STORE, agent=agent)
    assert shown(result) == []
    [excluded] = result.excluded
    assert excluded.excluded == Exclusion.TRAINING_REQUIRED
    assert "no guide is published for you yet: ask your trainer" in excluded.explanation


def test_every_guide_of_the_campaign_for_the_agent_must_be_completed(gated, agent):
    second = make_guide(title="Second guide", campaigns=[gated["campaign"]])
    complete(agent, gated["guide"])
    result = decide(customer=gated["customer"], channel_kind=STORE, agent=agent)
    assert shown(result) == [] and "“Second guide”" in result.excluded[0].explanation
    complete(agent, second)
    assert shown(decide(customer=gated["customer"], channel_kind=STORE, agent=agent)) == ["FIBRE"]


def test_the_gate_costs_one_query_and_none_when_nothing_requires_training(
    gated, agent, django_assert_num_queries
):
    ids = [gated["campaign"].pk]
    roles_of(agent), agent.agent_profile  # loaded once per request by the page's role check
    with django_assert_num_queries(1):
        assert set(untrained_campaigns(user=agent, campaign_ids=ids)) == set(ids)
    with django_assert_num_queries(0):
        assert untrained_campaigns(user=agent, campaign_ids=[]) == {}


def test_the_console_shows_a_notice_with_a_link_next_to_an_offer_whose_guide_is_not_done(
    client, campaign_world, agent
):
    guide = make_guide(campaigns=[campaign_world["campaign"]])
    client.force_login(agent)
    body = client.get(
        customer_url(user=agent, customer_id=campaign_world["customer"].pk)
    ).content.decode()
    assert "Training for this offer:" in body
    assert f'href="/training/mine/{guide.pk}/">Fibre: the pitch</a>' in body
    complete(agent, guide)
    body = client.get(
        customer_url(user=agent, customer_id=campaign_world["customer"].pk)
    ).content.decode()
    assert "Training for this offer:" not in body and "Fibre switch" in body


def test_the_notice_query_finds_only_uncompleted_guides_of_the_agents_audience(
    campaign_world, agent, other_site
):
    campaign = campaign_world["campaign"]
    mine = make_guide(title="Mine", campaigns=[campaign])
    make_guide(title="Elsewhere", campaigns=[campaign], site_ids=[other_site.pk])
    done = make_guide(title="Done", campaigns=[campaign])
    complete(agent, done)
    assert guides_to_complete(user=agent, campaign_ids=[campaign.pk]) == {
        campaign.pk: [{"id": mine.pk, "title": "Mine"}]
    }


def test_the_console_says_which_campaigns_wait_for_training_and_links_the_guide(
    client, gated, agent
):
    client.force_login(agent)
    body = client.get(customer_url(user=agent, customer_id=gated["customer"].pk)).content.decode()
    assert f"{gated['campaign'].name}: its offers are shown once you complete its training." in body
    assert f'href="/training/mine/{gated["guide"].pk}/">Fibre: the pitch</a>' in body
    assert "Fibre switch" not in body
