"""The model report in a real browser: a CVM manager opens it from the programme results, sees
the calibration chart drawn and its table, and the offers with learned against prior."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.campaigns.model_report_world import ladder, learned_group, outcomes

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT = "/tmp/h2_report.png"  # noqa: S108 - the brief asks for this path


def test_a_manager_opens_the_model_report_from_the_results_and_sees_chart_and_table(
    demo_world, page, live_server, sign_in
):
    campaign = Campaign.objects.filter(offers__isnull=False).order_by("pk").first()
    offer = campaign.offers.order_by("pk").first()
    outcomes(offer, campaign, ladder())
    learned_group(offer, prior=0.1, presented=400, accepted=180, segment="prepaid")
    learned_group(offer, prior=0.3, presented=150, accepted=40, segment="postpaid")
    sign_in("cvm1")

    page.get_by_role("link", name="Results", exact=True).click()
    page.get_by_role("link", name="Model report", exact=False).first.click()

    expect(
        page.get_by_role("heading", name="Model report: the learned likelihood of acceptance")
    ).to_be_visible()
    chart = page.locator("#chart-calibration")
    expect(chart).to_have_attribute("data-drawn", "true")
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert len(chart.evaluate("c => c.toDataURL()")) > 5000  # something was painted
    expect(page.locator("#chart-learned")).to_have_attribute("data-drawn", "true")
    deciles = page.locator("section[aria-labelledby=calibration-h] tbody tr")
    expect(deciles).to_have_count(10)
    expect(deciles.last.locator("td").last).to_have_text("2")  # the top decile's lift
    row = page.locator("section[aria-labelledby=offers-h] tbody tr", has_text=offer.code)
    expect(row.first).to_contain_text("Better than the prior")
    page.screenshot(path=SCREENSHOT, full_page=True)

    row.first.locator("th a").click()
    expect(page.get_by_role("heading", name=f"Model report: {offer}")).to_be_visible()
    expect(page.locator("section[aria-labelledby=groups-h] tbody tr")).to_have_count(2)
