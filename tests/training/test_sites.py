"""Training learns who works where only from the directory the delivery side registers."""

import pytest

from campaigns.choices import ChannelKind
from cvm_portal.roles import Role
from tests.factories import SiteFactory, make_guide
from training import sites
from training.models import Assignment
from training.publishing import audience_people
from training.reports import site_names

pytestmark = pytest.mark.django_db


def test_the_channels_app_registered_its_directory_at_start_up():
    from channels.agents import TrainingDirectory

    assert isinstance(sites.directory(), TrainingDirectory)


def test_the_directory_answers_for_agents_and_sites(make_user):
    # Given a store with a lead and an agent, a closed inbound centre, and a trainer
    store = SiteFactory(name="Warsaw Centre")
    closed = SiteFactory(name="Old Town", is_active=False)
    lead = make_user(Role.TEAM_LEAD, site=store)
    agent = make_user(Role.AGENT, site=store, is_active=True)
    caller = make_user(Role.AGENT, site=closed, channel_kind=ChannelKind.INBOUND_CALL)
    trainer = make_user(Role.TRAINER)
    directory = sites.directory()

    # Then each person's post, the people of a kind or a site, and the sites' names are known
    assert directory.post_of(lead) == sites.Post(store.pk, ChannelKind.STORE, True)
    assert directory.post_of(trainer) is None
    assert set(directory.people(channel_kinds=[ChannelKind.INBOUND_CALL])) == {caller.pk}
    assert set(directory.people(site_ids=[store.pk])) == {lead.pk, agent.pk}
    assert directory.channel_kinds([agent.pk, caller.pk, trainer.pk]) == {
        agent.pk: ChannelKind.STORE,
        caller.pk: ChannelKind.INBOUND_CALL,
    }
    assert directory.site_names() == {closed.pk: "Old Town", store.pk: "Warsaw Centre"}
    assert directory.site_names(active_only=True) == {store.pk: "Warsaw Centre"}


def test_inactive_people_are_not_in_the_audience(make_user):
    store = SiteFactory()
    gone = make_user(Role.AGENT, site=store)
    gone.is_active = False
    gone.save()

    assert sites.directory().people() == {}


def test_without_a_directory_nobody_works_at_a_site(make_user, monkeypatch):
    # Given training installed without the delivery side (nobody registered a directory)
    monkeypatch.setattr(sites, "_directory", sites.Directory())
    make_user(Role.AGENT, site=SiteFactory())

    # When a guide is published for everyone
    make_guide()

    # Then nobody is in its audience, and no site has a name
    assert audience_people(make_guide(publish=False)) == []
    assert not Assignment.objects.exists()
    assert site_names() == {}
