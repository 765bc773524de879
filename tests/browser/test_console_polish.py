"""The console's shortcuts in Polish, in Chromium: the keys are the first letters of the Polish
labels (P przyjęta, D do namysłu, O odrzucona, N nieprzedstawiona, C cofnij), the hint says so,
and the English letters record nothing."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = ["Fibre 1 Gb/s at your address", "20 GB extra data"]


@pytest.fixture
def customer(transactional_db):
    """A store agent, and a customer who gets two offers (one per product family)."""
    from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
    from campaigns.defaults import ensure_decline_reasons
    from campaigns.models import DeclineReason
    from cvm_portal.roles import Role, sync_role_groups
    from tests.factories import (
        CampaignFactory,
        CustomerFactory,
        OfferFactory,
        ProductFactory,
        target_group,
        user_with_role,
    )

    sync_role_groups()
    ensure_decline_reasons(DeclineReason)
    user_with_role(Role.AGENT, username="store7")
    customer = CustomerFactory(name="Anna Kowalczyk", phone="+48501000001")
    families = [ProductFamily.BROADBAND, ProductFamily.DATA_ADDON]
    for rank, (title, family) in enumerate(zip(TITLES, families, strict=True)):
        offer = OfferFactory(
            title=title, product=ProductFactory(family=family), channel_kinds=[ChannelKind.STORE]
        )
        campaign = CampaignFactory(
            status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
        )
        target_group(campaign, [{"customer": customer, "propensity": 0.6 - rank / 10}])
    return customer


def outcomes():
    from campaigns.models import Response

    return sorted(Response.objects.values_list("offer__title", "outcome"))


def test_a_polish_agent_records_and_undoes_with_the_keys_of_the_polish_labels(
    customer, page, live_server, sign_in
):
    from tests.factories import PASSWORD

    sign_in("store7", PASSWORD)
    # The agent switches the portal to Polish, as any user would.
    page.goto(f"{live_server.url}/accounts/password/")
    page.locator("#lang-select").select_option("pl")
    with page.expect_navigation():
        page.locator(".langform button").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")

    page.goto(f"{live_server.url}/console/pop/#{customer.phone}")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    page.wait_for_load_state()  # console.js runs the shortcuts once loaded
    expect(page.locator("#keys-help")).to_contain_text(
        "potem P — przyjęta · D — do namysłu · O — odrzucona · N — nieprzedstawiona. C cofa"
    )
    first, second = page.locator("ol.offers > li").all()

    # The English "A" is no key in Polish: it cancels the selection and records nothing.
    page.keyboard.press("1")
    page.keyboard.press("a")
    expect(page.locator("#keys-status")).to_have_text("Anulowano wybór.")
    page.wait_for_timeout(300)
    assert outcomes() == []

    # P (przyjęta) records the first offer as accepted; C (cofnij) undoes it.
    page.keyboard.press("1")
    expect(first.get_by_role("button", name="Przyjęta")).to_be_focused()
    page.keyboard.press("p")
    expect(first.locator("[data-focus-after-swap]")).to_contain_text("Zarejestrowano: Przyjęta")
    expect(first.locator("[data-focus-after-swap]")).to_be_focused()
    assert outcomes() == [(TITLES[0], "accepted")]
    page.keyboard.press("c")
    expect(first.locator("[data-focus-after-swap]")).to_contain_text("Cofnięto: Przyjęta")
    assert outcomes() == []

    # D (do namysłu) on the second offer; O (odrzucona) opens the first offer's reasons.
    page.keyboard.press("2")
    page.keyboard.press("d")
    expect(second.locator("[data-focus-after-swap]")).to_contain_text("Zarejestrowano: Do namysłu")
    page.keyboard.press("1")
    page.keyboard.press("o")
    expect(first.locator("details.reasons").first).to_have_attribute("open", "")
    assert outcomes() == [(TITLES[1], "later")]
