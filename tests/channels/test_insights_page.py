"""The insight page (what customers need) and its CSV, against a small world counted by hand.

The world: five notes in the weeks of 2 and 9 March 2026 (one more before the period), at two
stores, in two segments' worth of customers, two campaigns and none; three needs.

    note  site  channel  segment         campaign  week   needs              text
    n1    A     store    prepaid         camp1     2 Mar  cheaper            yes
    n2    A     store    postpaid        camp1     2 Mar  cheaper, coverage  yes
    n3    A     inbound  prepaid         camp2     9 Mar  coverage           —
    n4    B     store    small business  camp1     9 Mar  cheaper            yes
    n5    B     store    postpaid        —         9 Mar  moving             yes
    n6    A     store    prepaid         camp1     Feb    cheaper            (outside)
"""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.choices import ChannelKind, Segment
from campaigns.models import Decision, DeclineReason, NeedTag
from channels.insights import report
from channels.models import CustomerNote, Recording, ResearchItem
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    SiteFactory,
    api_client,
    at,
    user_with_role,
)

pytestmark = pytest.mark.django_db

URL = "/insights/needs/"
CSV_URL = "/insights/needs.csv"
CODES = ("cheaper_plan", "coverage", "moving_house")
PERIOD = {"since": "2026-03-02", "until": "2026-03-15"}


def need(code: str, label: str, position: int) -> NeedTag:
    """One of the taxonomy's needs (the seeded one, if the migrations made it)."""
    found, _created = NeedTag.objects.update_or_create(
        code=code, defaults={"label": label, "position": position}
    )
    return found


def note(world, *, site, customer, tags, when, campaign=None, kind=ChannelKind.STORE, text=""):
    n = CustomerNote.objects.create(
        customer=customer, site=site, channel_kind=kind, campaign=campaign, text=text
    )
    n.tags.set(tags)
    CustomerNote.objects.filter(pk=n.pk).update(created_at=when)
    return n


def recording(world, *, site, customer, reference, url=""):
    decision = Decision.objects.create(
        customer=customer, channel_kind=ChannelKind.INBOUND_CALL, site_id=site.pk
    )
    return Recording.objects.create(
        client=world.client,
        reference=reference,
        url=url,
        duration_s=120,
        decision=decision,
        customer=customer,
        site=site,
        campaign=world.camp1,
        recorded_at=at((2026, 3, 10)),
    )


@pytest.fixture
def world():
    class W:
        pass

    w = W()
    w.site_a = SiteFactory(name="Store Alpha")
    w.site_b = SiteFactory(name="Store Beta")
    w.manager = user_with_role(Role.CVM_MANAGER)
    w.lead = user_with_role(Role.TEAM_LEAD, site=w.site_a)
    w.agent = user_with_role(Role.AGENT, site=w.site_a)
    w.cheaper = need("cheaper_plan", "Wants a cheaper plan", 1)
    w.coverage = need("coverage", "Coverage problem", 2)
    w.moving = need("moving_house", "Moving house", 3)
    prepaid = CustomerFactory(segment=Segment.PREPAID, name="Anna Secretname")
    postpaid = CustomerFactory(segment=Segment.POSTPAID, name="Bartek Secretname")
    business = CustomerFactory(segment=Segment.SMALL_BUSINESS, name="Firma Secretname")
    w.camp1 = CampaignFactory(name="Spring upsell")
    w.camp2 = CampaignFactory(name="=HYPERLINK(evil)")
    a, b = w.site_a, w.site_b
    note(w, site=a, customer=prepaid, tags=[w.cheaper], when=at((2026, 3, 3)),
         campaign=w.camp1, text="Alpha: pays too much for calls")  # fmt: skip
    note(w, site=a, customer=postpaid, tags=[w.cheaper, w.coverage], when=at((2026, 3, 4)),
         campaign=w.camp1, text="Alpha: no signal at home, tel. ***")  # fmt: skip
    note(w, site=a, customer=prepaid, tags=[w.coverage], when=at((2026, 3, 10)),
         campaign=w.camp2, kind=ChannelKind.INBOUND_CALL)  # fmt: skip
    note(w, site=b, customer=business, tags=[w.cheaper], when=at((2026, 3, 11)),
         campaign=w.camp1, text="Beta: the competitor offers half price")  # fmt: skip
    note(w, site=b, customer=postpaid, tags=[w.moving], when=at((2026, 3, 12)),
         text="Beta: moving to Gdansk next month")  # fmt: skip
    note(w, site=a, customer=prepaid, tags=[w.cheaper], when=at((2026, 2, 20)),
         campaign=w.camp1, text="Alpha: before the period")  # fmt: skip
    w.client, _key = api_client("pbx")
    DeclineReason.objects.create(code="too-expensive", label="Too expensive")
    rec_a = recording(w, site=a, customer=prepaid, reference="A-1", url="https://pbx.example/a1")
    rec_b = recording(w, site=b, customer=business, reference="B-1", url="https://pbx.example/b1")
    rec_unreviewed = recording(w, site=a, customer=postpaid, reference="A-2")
    for rec, finding, tags, reviewed in (
        (rec_a, "Alpha finding: signal drops in the kitchen", [w.coverage], True),
        (rec_b, "Beta finding: price is all that matters", [w.cheaper], True),
        (rec_unreviewed, "Not reviewed yet", [w.coverage], False),
    ):
        item = ResearchItem.objects.create(
            recording=rec,
            week=date(2026, 3, 9),
            campaign=w.camp1,
            stratum="declined:too-expensive",
            rating=4,
            note=finding,
            reviewed_by=w.manager if reviewed else None,
            reviewed_at=timezone.now() if reviewed else None,
        )
        item.tags.set(tags)
    return w


def get(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, {**PERIOD, **params})


def figures(page) -> dict[str, tuple[int, float]]:
    return {f.need.code: (f.notes, f.share) for f in page.top}


def rows(table) -> dict[str, tuple]:
    """{row label: (notes, (cheaper, coverage, moving) counts)} of a breakdown."""
    codes = [n.code for n in table.needs]
    found = {}
    for row in table.rows:
        counts = dict(zip(codes, (c for c, _s in row.cells), strict=True))
        found[row.label] = (row.notes, tuple(counts.get(c, 0) for c in CODES))
    return found


def test_a_manager_sees_the_top_needs_with_their_share_of_notes(client, world):
    response = get(client, world.manager)

    page = response.context["page"]
    assert response.status_code == 200
    assert page.notes == 5  # the February note is outside the period
    assert figures(page) == {
        "cheaper_plan": (3, 60.0),
        "coverage": (2, 40.0),
        "moving_house": (1, 20.0),
    }
    assert [f.need.code for f in page.top] == list(CODES)
    assert b"Wants a cheaper plan" in response.content


def test_the_needs_are_broken_down_by_segment_campaign_site_and_week(client, world):
    page = get(client, world.manager).context["page"]

    by = {t.key: rows(t) for t in page.breakdowns}
    assert by["segment"] == {
        "Consumer prepaid": (2, (1, 1, 0)),
        "Consumer postpaid": (2, (1, 1, 1)),
        "Small business": (1, (1, 0, 0)),
    }
    assert by["campaign"] == {
        f"Spring upsell ({world.camp1.code})": (3, (3, 1, 0)),
        f"=HYPERLINK(evil) ({world.camp2.code})": (1, (0, 1, 0)),
        "No campaign": (1, (0, 0, 1)),
    }
    assert by["site"] == {"Store Alpha": (3, (2, 2, 0)), "Store Beta": (2, (1, 0, 1))}
    assert list(rows(page.trend).values()) == [(2, (2, 1, 0)), (3, (1, 1, 1))]
    assert page.chart["series"][0] == {"label": "Wants a cheaper plan", "data": [2, 1]}
    prepaid = next(r for r in page.breakdowns[0].rows if r.value == Segment.PREPAID)
    assert prepaid.cells[0] == (1, 50.0)  # one of the segment's two notes


def test_filters_narrow_the_counts_by_segment_channel_campaign_and_site(client, world):
    def top(**params):
        return figures(get(client, world.manager, **params).context["page"])

    assert top(segment="postpaid") == {
        "cheaper_plan": (1, 50.0),
        "coverage": (1, 50.0),
        "moving_house": (1, 50.0),
    }
    assert top(channel="inbound_call") == {"coverage": (1, 100.0)}
    assert top(campaign=world.camp2.pk) == {"coverage": (1, 100.0)}
    assert top(site=world.site_b.pk) == {"cheaper_plan": (1, 50.0), "moving_house": (1, 50.0)}
    assert top(since="2026-03-09") == {
        "cheaper_plan": (1, 33.3),
        "coverage": (1, 33.3),
        "moving_house": (1, 33.3),
    }


def test_choosing_a_need_shows_its_quotes_and_findings_only(client, world):
    page = get(client, world.manager, need=world.coverage.pk).context["page"]

    assert figures(page) == {"coverage": (2, 40.0)}  # shares still of all the notes
    assert [q.text for q in page.quotes] == ["Alpha: no signal at home, tel. ***"]
    assert [f.item.note for f in page.findings] == ["Alpha finding: signal drops in the kitchen"]
    assert page.findings[0].stratum == "Declined: Too expensive"


def test_quotes_show_when_where_and_which_channel_but_never_the_customer(client, world):
    response = get(client, world.manager)

    quotes = response.context["page"].quotes
    assert [q.text for q in quotes][:2] == [
        "Beta: moving to Gdansk next month",
        "Beta: the competitor offers half price",
    ]
    assert quotes[0].site == "Store Beta" and quotes[0].channel == "Store"
    assert b"Secretname" not in response.content
    assert b"+4850" not in response.content


def test_a_team_lead_sees_only_notes_and_recordings_of_their_own_site(client, world):
    response = get(client, world.lead)

    page = response.context["page"]
    assert page.notes == 3
    assert figures(page) == {"cheaper_plan": (2, 66.7), "coverage": (2, 66.7)}
    assert [t.key for t in page.breakdowns] == ["segment", "campaign"]  # no other site to compare
    assert "site" not in response.context["form"].fields
    assert all(q.site == "Store Alpha" for q in page.quotes)
    assert [f.item.note for f in page.findings] == ["Alpha finding: signal drops in the kitchen"]
    assert b"Beta" not in response.content


def test_a_team_lead_asking_for_another_site_gets_404(client, world):
    assert get(client, world.lead, site=world.site_b.pk).status_code == 404
    assert get(client, world.lead, CSV_URL, site=world.site_b.pk).status_code == 404
    assert get(client, world.lead, site=world.site_a.pk).status_code == 200


def test_agents_are_refused(client, world):
    assert get(client, world.agent).status_code == 403
    assert get(client, world.agent, CSV_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_rejects_post(client, world):
    client.force_login(world.manager)

    assert client.post(URL).status_code == 405


def test_the_default_period_is_the_last_eight_weeks(client, world):
    client.force_login(world.manager)

    form = client.get(URL).context["form"]

    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    assert until == timezone.localdate()
    assert since.weekday() == 0 and (until - since).days // 7 == 7


def test_a_period_backwards_is_an_error_not_a_page(client, world):
    response = get(client, world.manager, since="2026-03-15", until="2026-03-01")

    assert response.status_code == 400
    assert b"The end of the period is before its start." in response.content


def test_with_no_notes_the_page_says_how_notes_are_added(client, world):
    response = get(client, world.manager, since="2025-01-01", until="2025-01-31")

    assert response.status_code == 200
    assert b"agents add them from the console" in response.content


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_holds_the_counts_per_need_segment_campaign_site_and_week(client, world):
    response = get(client, world.manager, CSV_URL)

    found = _csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert found[0] == list(report.CSV_HEADER)
    a, b, c1, c2 = world.site_a.code, world.site_b.code, world.camp1.code, world.camp2.code
    assert sorted(found[1:]) == sorted([
        ["2026-03-02", "cheaper_plan", "Wants a cheaper plan", "prepaid", c1, "Spring upsell", a, "Store Alpha", "1"],
        ["2026-03-02", "cheaper_plan", "Wants a cheaper plan", "postpaid", c1, "Spring upsell", a, "Store Alpha", "1"],
        ["2026-03-02", "coverage", "Coverage problem", "postpaid", c1, "Spring upsell", a, "Store Alpha", "1"],
        ["2026-03-09", "coverage", "Coverage problem", "prepaid", c2, "'=HYPERLINK(evil)", a, "Store Alpha", "1"],
        ["2026-03-09", "cheaper_plan", "Wants a cheaper plan", "small_business", c1, "Spring upsell", b, "Store Beta", "1"],
        ["2026-03-09", "moving_house", "Moving house", "postpaid", "", "", b, "Store Beta", "1"],
    ])  # fmt: skip


def test_the_csv_follows_the_filters_and_a_team_leads_site(client, world):
    lead_rows = _csv(get(client, world.lead, CSV_URL))[1:]
    segment_rows = _csv(get(client, world.manager, CSV_URL, segment="postpaid"))[1:]

    assert {r[7] for r in lead_rows} == {"Store Alpha"} and len(lead_rows) == 4
    assert {r[3] for r in segment_rows} == {"postpaid"} and len(segment_rows) == 3


def test_the_page_asks_the_same_number_of_queries_however_many_notes(client, world):
    client.force_login(world.manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, PERIOD).status_code == 200
        return len(captured)

    before = queries()
    for i in range(12):
        note(world, site=world.site_b if i % 2 else world.site_a, customer=CustomerFactory(),
             tags=[world.moving, world.coverage], when=at((2026, 3, 5 + i % 8)),
             campaign=CampaignFactory(), text=f"More {i}")  # fmt: skip

    assert queries() == before


def test_the_results_pages_and_the_workspaces_link_to_the_page(client, world):
    client.force_login(world.manager)

    overview = client.get(reverse("campaigns:results")).content.decode()
    campaign = client.get(reverse("campaigns:campaign_results", args=[world.camp1.pk]))
    home = client.get(reverse("home"), follow=True).content.decode()
    site = client.get(reverse("channels:site_detail", args=[world.site_a.code])).content.decode()

    assert f'href="{URL}"' in overview
    assert f'href="{URL}?campaign={world.camp1.pk}"' in campaign.content.decode()
    assert f'href="{URL}"' in home
    assert f'href="{URL}?site={world.site_a.pk}"' in site
