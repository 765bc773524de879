"""The demo tells no customer what is not true of them.

Every (member, offer) pair the demo's target groups create, and every offer its decisions
show, is checked against what the offer's own words take for granted, read from the texts
the demo stored (title, benefit, scripts, short texts, banners): "your current plan" needs a
plan with a monthly bill, "your fibre" needs fibre, "out of data" is never said to a customer
with unlimited data, and nobody is offered a product they already have.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from campaigns.choices import ChannelKind, Segment
from campaigns.decisioning import decide
from campaigns.models import (
    Campaign,
    Customer,
    Offer,
    OfferContent,
    TargetGroup,
    TargetGroupMember,
)
from tests.demo_cleanup import remove_demo

pytestmark = pytest.mark.django_db

CUSTOMERS = 3_000
WITH_A_PLAN = {Segment.POSTPAID, Segment.SMALL_BUSINESS, Segment.CORPORATE}

# (words in an offer's texts, what they take for granted, the test of a customer)
CLAIMS = [
    (
        ("your current plan", "monthly fee", "postpaid plan", "share your data"),
        "a plan with a monthly bill",
        lambda c: c.segment in WITH_A_PLAN,
    ),
    (
        ("your fibre", "fibre you already have", "with fibre you can"),
        "fibre at home",
        lambda c: "FIBRE-1G" in c.holdings,
    ),
    (
        ("out of data", "used all your data", "runs out of data"),
        "data that can run out",
        lambda c: "PLAN-5G-UNL" not in c.holdings,
    ),
    (
        ("your new phone",),
        "a new phone from us",
        lambda c: "DEV-PHONE" in c.holdings,
    ),
    (
        ("staying with us",),
        "a year with us at least",
        lambda c: c.tenure_months() >= 12,
    ),
    (
        ("family plan", "family member"),
        "a household, not a business",
        lambda c: c.segment in {Segment.PREPAID, Segment.POSTPAID},
    ),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with 3,000 customers, built once for this module in an inbox of its own."""
    inbox_before = settings.CVM_INBOX
    settings.CVM_INBOX = tmp_path_factory.mktemp("demo-inbox")
    with django_db_blocker.unblock():
        call_command("demo", customers=CUSTOMERS, stdout=StringIO())
        yield
        remove_demo()
    settings.CVM_INBOX = inbox_before


def offer_texts() -> dict[int, str]:
    """{offer id: every word the offer says anywhere, in lower case}."""
    texts = {o.pk: f"{o.title} {o.benefit}" for o in Offer.objects.all()}
    for content in OfferContent.objects.all():
        texts[content.offer_id] += (
            f" {content.agent_script} {content.short_text} {content.banner_title}"
        )
    return {pk: text.lower() for pk, text in texts.items()}


def contradictions(customer: Customer, offer: Offer, text: str) -> list[str]:
    """What ``offer`` says that is not true of ``customer``."""
    found = [
        f"takes for granted {granted}"
        for words, granted, holds_for in CLAIMS
        if any(w in text for w in words) and not holds_for(customer)
    ]
    if offer.product.code in customer.holdings:
        found.append(f"offers {offer.product.code}, which they have")
    return found


def test_the_claims_read_from_the_texts_cover_the_demo_offers_that_assume_something(demo):
    # Given the demo's offer texts, when the claims are read from them
    texts = offer_texts()
    codes = dict(Offer.objects.values_list("pk", "code"))
    claiming = {
        codes[pk]
        for pk, text in texts.items()
        for words, _granted, _test in CLAIMS
        if any(w in text for w in words)
    }
    # Then the offers that take something for granted are recognised as doing so
    assert {
        "5G-UPGRADE-10", "5G-RETAIN-20", "FIBRE-BUNDLE", "TV-FIBRE-ADDON", "TV-XMAS",
        "DATA-20-PACK", "INS-NEWPHONE", "FAMILY-WINBACK",
    } <= claiming  # fmt: skip


def test_no_demo_member_is_put_with_an_offer_that_contradicts_them(demo):
    # Given every member of every version the demo's loads made (live and replaced)
    texts = offer_texts()
    offers = {o.code: o for o in Offer.objects.select_related("product")}
    campaign_offers = {
        c.pk: [offers[code] for code in c.offers.values_list("code", flat=True)]
        for c in Campaign.objects.all()
    }
    customers = {c.external_id: c for c in Customer.objects.all()}
    members = TargetGroupMember.objects.select_related("version__target_group").values_list(
        "customer_id", "offer_id", "version__target_group__campaign_id"
    )
    # When each (member, offer) pair is held against the offer's words
    checked, wrong = 0, []
    for customer_id, offer_code, campaign_id in members.iterator():
        customer = customers[customer_id]
        for offer in [offers[offer_code]] if offer_code else campaign_offers[campaign_id]:
            checked += 1
            for problem in contradictions(customer, offer, texts[offer.pk]):
                wrong.append(f"{customer_id} ({customer.segment}) / {offer.code}: {problem}")
    # Then none contradicts its customer
    assert checked > 5_000  # four target groups' worth, not a vacuous pass
    assert wrong == []


def test_prepaid_customers_are_in_the_demo_but_never_hear_of_their_plan(demo):
    # Given the live target groups' prepaid members
    prepaid = TargetGroupMember.objects.filter(
        customer__segment=Segment.PREPAID,
        version__in=TargetGroup.objects.values("active_version"),
    )
    # Then they are there (data packs, fibre), but never with an offer about their plan
    assert prepaid.filter(offer_id="DATA-20-PACK").exists()
    assert prepaid.filter(offer_id="FIBRE-SWITCH").exists()
    assert not prepaid.filter(offer_id__in=["5G-UPGRADE-10", "5G-RETAIN-20", "FIBRE-BUNDLE"])


def test_what_the_demo_decides_for_its_members_never_contradicts_them(demo):
    # Given 150 customers of the live target groups, in a store
    texts = offer_texts()
    ids = (
        TargetGroupMember.objects.filter(version__in=TargetGroup.objects.values("active_version"))
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()[:150]
    )
    shown, wrong = 0, []
    for customer in Customer.objects.filter(external_id__in=list(ids)).order_by("external_id"):
        # When the console asks for their next-best offers
        for c in decide(customer=customer, channel_kind=ChannelKind.STORE).offers:
            shown += 1
            offer = Offer.objects.select_related("product").get(pk=c.offer.pk)
            wrong += [
                f"{customer.external_id}: {p}"
                for p in contradictions(customer, offer, texts[offer.pk])
            ]
    # Then every offer shown fits the customer it is shown to
    assert shown > 50
    assert wrong == []


def live_members(code: str):
    return TargetGroupMember.objects.filter(
        version=TargetGroup.objects.get(campaign__code=code).active_version
    ).select_related("version")


def whys(code: str, offer_code: str, count: int = 20) -> list[tuple[TargetGroupMember, str]]:
    """(member, the "why" the store console shows) for up to ``count`` members of campaign
    ``code`` who are shown ``offer_code``."""
    found = []
    members = live_members(code).filter(
        offer_id=offer_code, customer__consent_marketing=True, customer__do_not_contact=False
    )
    for member in members.order_by("customer_id")[:200]:
        customer = Customer.objects.get(external_id=member.customer_id)
        shown = {
            c.offer.code: c.reason for c in decide(customer=customer, channel_kind="store").offers
        }
        if offer_code in shown:
            found.append((member, shown[offer_code]))
        if len(found) == count:
            break
    return found


def test_two_demo_files_say_why_per_member_and_the_third_leaves_it_to_the_facts(demo):
    assert not live_members("UP-DATA").filter(reason__isnull=True).exists()
    assert not live_members("RET-5G-Q4").filter(reason__isnull=True).exists()
    assert not live_members("XS-FIBRE").filter(reason__isnull=False).exists()


def test_the_console_shows_the_files_sentence_about_the_customer_first(demo):
    # Given data-pack members whose file says why; when the store console decides for them
    shown = whys("UP-DATA", "DATA-20-PACK")
    # Then the "why" starts with the file's sentence, the likelihood after it
    assert shown
    for member, why in shown:
        assert why.startswith(f"{member.reason} · likely to accept: ")


def test_without_a_files_reason_the_console_says_what_the_snapshot_knows(demo):
    # Given fibre members whose file gives no reason; when the store console decides for them
    shown = whys("XS-FIBRE", "FIBRE-BUNDLE")
    # Then the "why" is about the customer's tenure, products and segment, never a plan they lack
    assert shown
    for member, why in shown:
        about = why.split(" · ")[0]
        assert about.startswith("Customer for ")
        segment = Customer.objects.get(external_id=member.customer_id).segment
        assert str(Segment(segment).label).lower() in about
