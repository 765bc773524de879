"""Programme results in a real browser: a CVM manager opens a campaign's results from the
overview, sees its charts drawn and the uplift's verdict, and downloads a table as CSV."""

import csv
import io
import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_opens_a_campaigns_results_sees_the_chart_and_verdict_and_downloads_csv(
    demo_world, page, live_server, sign_in
):
    call_command("demo_history", days=7, contacts=3, stdout=open(os.devnull, "w"))  # noqa: SIM115
    sign_in("cvm1")

    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", name="Programme results")).to_be_visible()
    page.locator("table.results-table th[scope=row] a").first.click()

    expect(page.get_by_role("heading", name="Uplift over the control group")).to_be_visible()
    expect(page.locator("#uplift-verdict")).to_have_text(
        re.compile("Significant uplift|No evidence yet|Negative|No result yet")
    )
    trend = page.locator("#chart-trend")
    expect(trend).to_have_attribute("data-drawn", "true")
    box = trend.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    # Something was painted: a blank canvas encodes to a short PNG.
    assert len(trend.evaluate("c => c.toDataURL()")) > 5000

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Funnel” as CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Stage", "Offers", "Share of shown (%)"]
    shown_on_page = (
        page.locator("section[aria-labelledby=funnel-h] tbody tr").first.locator("td").first
    )
    assert rows[1][0] == "Shown" and rows[1][1].replace(
        ",", ""
    ) == shown_on_page.inner_text().replace(",", "")
