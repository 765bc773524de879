"""The sales digest's "What customers asked for": the needs agents' notes named most in each
channel kind that week, with a quote, from a small world counted by hand.

Week 2026-W14 (30 March – 5 April):

    kind     site  needs               text
    store    S1    cheaper             "S1: pays too much"        (31 Mar)
    store    S1    cheaper, coverage   "S1: no signal at home"    (1 Apr)
    store    S1    coverage            —                          (2 Apr)
    store    S1    device              —                          (2 Apr)
    store    S2    cheaper             "S2: competitor is cheaper" (3 Apr, the latest)
    store    S2    moving              —                          (3 Apr)
    inbound  S1    coverage            "Dropped calls on the train"
    store    S1    cheaper             (6 April: the week after, not counted)

Store: 6 notes; cheaper 3, coverage 2, moving 1, device 1 (moving comes first in the taxonomy,
so device is the fourth and left out). Inbound: 1 note, coverage 1.
"""

from datetime import date

import pytest
from django.urls import reverse

from campaigns.choices import ChannelKind
from campaigns.models import NeedTag
from channels.models import CustomerNote
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, SiteFactory, at, user_with_role
from training import digest, needs_source
from training.choices import DigestSection
from training.models import DigestItem

pytestmark = pytest.mark.django_db

STORE, INBOUND = ChannelKind.STORE, ChannelKind.INBOUND_CALL
WEEK = date(2026, 3, 30)
BUILT = at((2026, 4, 6), 6)


def need(code: str, label: str, position: int) -> NeedTag:
    found, _created = NeedTag.objects.update_or_create(
        code=code, defaults={"label": label, "position": position}
    )
    return found


def note(site, tags, when, *, kind=STORE, text=""):
    n = CustomerNote.objects.create(
        customer=CustomerFactory(), site=site, channel_kind=kind, text=text
    )
    n.tags.set(tags)
    CustomerNote.objects.filter(pk=n.pk).update(created_at=when)


@pytest.fixture
def world():
    s1, s2 = SiteFactory(name="Store One"), SiteFactory(name="Store Two")
    cheaper = need("cheaper_plan", "Wants a cheaper plan", 1)
    coverage = need("coverage", "Coverage problem", 2)
    moving = need("moving_house", "Moving house", 3)
    device = need("device_broken", "Device broken", 4)
    note(s1, [cheaper], at((2026, 3, 31)), text="S1: pays too much")
    note(s1, [cheaper, coverage], at((2026, 4, 1)), text="S1: no signal at home")
    note(s1, [coverage], at((2026, 4, 2)))
    note(s1, [device], at((2026, 4, 2)))
    note(s2, [cheaper], at((2026, 4, 3)), text="S2: competitor is cheaper")
    note(s2, [moving], at((2026, 4, 3), 13))
    note(s1, [coverage], at((2026, 4, 1)), kind=INBOUND, text="Dropped calls on the train")
    note(s1, [cheaper], at((2026, 4, 6), 1), text="The week after")
    return {"s1": s1, "s2": s2}


def need_items(built) -> list[DigestItem]:
    return list(built.items.filter(section=DigestSection.NEED).order_by("channel_kind", "rank"))


def test_the_digest_names_the_most_asked_needs_per_channel_with_a_quote(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    found = [
        (i.channel_kind, i.rank, i.reason_code, i.mentions, i.kind_contacts, i.script)
        for i in need_items(built)
    ]
    assert found == [
        (INBOUND, 1, "coverage", 1, 1, "Dropped calls on the train"),
        (STORE, 1, "cheaper_plan", 3, 6, "S2: competitor is cheaper"),
        (STORE, 2, "coverage", 2, 6, "S1: no signal at home"),
        (STORE, 3, "moving_house", 1, 6, ""),
    ]


def test_each_need_keeps_its_sites_figures_for_team_leads(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)

    cheaper = built.items.get(section=DigestSection.NEED, channel_kind=STORE, rank=1)
    s1, s2 = str(world["s1"].pk), str(world["s2"].pk)
    assert cheaper.site_figures == {s1: [4, 2], s2: [2, 1]}
    store = next(s for s in digest.sections(built, site_id=world["s2"].pk) if s.kind == STORE)
    first = store.needs[0]
    assert (first.share.part, first.share.whole, first.share.percent) == (3, 6, 50.0)
    assert (first.mine.part, first.mine.whole) == (1, 2)


def test_a_trainer_can_hide_a_need_and_a_redraft_keeps_it_hidden(world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)
    moving = built.items.get(section=DigestSection.NEED, reason_code="moving_house")
    digest.save_review(digest=built, comment="", hidden_ids=[moving.pk], by=None)

    rebuilt = digest.build_digest(week_start=WEEK, now=BUILT)

    assert rebuilt.items.get(section=DigestSection.NEED, reason_code="moving_house").hidden
    store = next(s for s in digest.sections(rebuilt) if s.kind == STORE)
    assert [i.reason_code for i in store.needs] == ["cheaper_plan", "coverage"]


def test_agents_read_what_customers_asked_for_on_the_published_digest(client, world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)
    digest.publish_digest(digest=built, now=BUILT)
    agent = user_with_role(Role.AGENT, site=world["s1"])
    client.force_login(agent)

    page = client.get(reverse("training:digest", args=[built.pk])).content.decode()

    assert "What customers asked for" in page
    assert "Wants a cheaper plan" in page
    assert "“S2: competitor is cheaper”" in page
    assert "50% of notes (3 of 6)" in page


def test_a_team_lead_sees_their_sites_share_beside_the_companys(client, world):
    built = digest.build_digest(week_start=WEEK, now=BUILT)
    digest.publish_digest(digest=built, now=BUILT)
    client.force_login(user_with_role(Role.TEAM_LEAD, site=world["s2"]))

    page = client.get(reverse("training:digest", args=[built.pk])).content.decode()

    assert "At Store Two" in page
    assert "50% (1 of 2)" in page


def test_a_week_without_notes_has_no_needs_section(world):
    built = digest.build_digest(week_start=date(2026, 3, 9), now=BUILT)

    assert need_items(built) == []


def test_without_a_registered_source_the_digest_has_no_needs(world, monkeypatch):
    monkeypatch.setattr(needs_source, "_source", needs_source._none)

    built = digest.build_digest(week_start=WEEK, now=BUILT)

    assert need_items(built) == []
