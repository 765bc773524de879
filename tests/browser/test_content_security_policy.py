"""Every role's pages run under the Content-Security-Policy without a single violation: no inline
script, handler or style is left for the browser to refuse, and the pages still work."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import a_demo_customer_with_offers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def violations(page):
    """What the browser refused under the policy: Chromium reports each refusal on the console,
    and the page's securitypolicyviolation event says which directive it broke."""
    seen = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));"
    )

    def record(message):
        if "Content Security Policy" in message.text or "CSP violation" in message.text:
            seen.append(f"{message.text} ({page.url})")

    page.on("console", record)
    yield seen
    assert seen == [], "\n".join(seen)


def test_a_store_agent_s_console_and_screen_pop_run_under_the_policy(
    demo_world, page, live_server, sign_in, violations
):
    customer = a_demo_customer_with_offers()
    sign_in("store1")
    page.get_by_label("Phone number or customer id").fill(customer.external_id)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    page.wait_for_load_state()  # the shortcuts script (a file) has run
    page.keyboard.press("1")
    first = page.locator("ol.offers > li").first
    expect(first.get_by_role("button", name="Accepted")).to_be_focused()
    first.get_by_role("button", name="Accepted").click()  # htmx
    expect(first.locator("[data-focus-after-swap]")).to_contain_text("Recorded: Accepted")

    page.goto(f"{live_server.url}/console/pop/#{customer.phone}")  # the screen-pop script runs
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()


def test_an_outbound_agent_s_screen_runs_under_the_policy(
    demo_world, page, live_server, sign_in, violations
):
    sign_in("outbound1")
    page.get_by_role("button", name="Next customer").click()
    expect(page.get_by_role("heading", name="What happened on the call?")).to_be_visible()


def test_a_team_lead_s_pages_run_under_the_policy(
    demo_world, page, live_server, sign_in, violations
):
    sign_in("lead1")
    expect(page).to_have_url(f"{live_server.url}/team/")
    page.goto(f"{live_server.url}/training/dashboard/")
    expect(page.get_by_role("heading").first).to_be_visible()


def test_the_cvm_workspace_the_admin_and_the_api_docs_run_under_the_policy(
    demo_world, page, live_server, sign_in, violations
):
    sign_in("cvm1")
    expect(page).to_have_url(f"{live_server.url}/cvm/")
    page.goto(f"{live_server.url}/cvm/loads/")
    expect(page.get_by_role("heading").first).to_be_visible()

    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    page.locator("#result_list tbody th a").first.click()  # a change form, the admin's scripts
    expect(page.locator("#content h1")).to_contain_text("Change campaign")

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CVM Portal API")


def test_a_trainer_s_live_preview_runs_under_the_policy(
    demo_world, page, live_server, sign_in, violations
):
    sign_in("trainer1")
    page.get_by_role("link", name="New guide").click()
    page.get_by_label("Text (Markdown)").fill("# Data packs\n\nOffer them to **heavy users**.")
    preview = page.locator("#guide-preview")  # htmx swaps the rendered text in, no inline code
    expect(preview.locator("strong")).to_have_text("heavy users")


def test_an_administrator_s_periodic_task_form_runs_under_the_policy(
    demo_world, page, live_server, sign_in, violations, make_user
):
    from django_celery_beat.models import CrontabSchedule

    from cvm_portal.roles import Role
    from tests.factories import PASSWORD

    CrontabSchedule.objects.create(minute="5", hour="0", timezone="Europe/Warsaw")
    make_user(Role.ADMINISTRATOR, username="root1")
    sign_in("root1", PASSWORD)
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    crontab = page.locator("#id_crontab")
    crontab.select_option(index=1)  # the schedule in words: django-celery-beat's script, as a file
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation:")
