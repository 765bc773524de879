"""Training in a real browser: a trainer publishes a guide with a quiz for a training-required
campaign; an agent does not see its offers, completes the guide, and then sees them."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from channels.console.links import customer_url

pytestmark = pytest.mark.django_db(transaction=True)


def a_customer_of(code: str):
    """A customer to whom the campaign's offer is shown when nobody is gated."""
    from campaigns.decisioning import decide
    from campaigns.models import TargetGroup, TargetGroupMember

    members = (
        TargetGroupMember.objects.filter(
            version__in=TargetGroup.objects.filter(campaign__code=code).values("active_version"),
            customer__consent_marketing=True,
            customer__do_not_contact=False,
        )
        .select_related("customer", "version__target_group__campaign")
        .order_by("customer__external_id")
    )
    for member in members:
        if member.is_control:
            continue
        result = decide(customer=member.customer, channel_kind="store")
        if any(c.campaign.code == code for c in result.offers):
            return member.customer, member.version.target_group.campaign
    raise AssertionError(f"no demo customer is shown an offer of {code}")


def shown_campaigns(customer) -> set[str]:
    from campaigns.models import Decision

    decision = Decision.objects.filter(customer=customer).order_by("-created_at").first()
    return {p.campaign.code for p in decision.presentations.select_related("campaign")}


def test_a_trainer_publishes_a_guide_and_an_agent_completes_it_and_then_sees_the_offers(
    demo_world, page, live_server, sign_in
):
    customer, campaign = a_customer_of("UP-DATA")
    campaign.training_required = True
    campaign.save(update_fields=["training_required"])
    store1 = get_user_model().objects.get(username="store1")

    # Before training, the agent does not get the campaign's offers.
    sign_in("store1")
    page.goto(live_server.url + customer_url(user=store1, customer_id=customer.pk))
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    assert "UP-DATA" not in shown_campaigns(customer)
    expect(page.get_by_text("its offers are shown once you complete its training")).to_contain_text(
        "No guide is published for you yet"
    )
    page.get_by_role("button", name="Log out").click()

    # The trainer writes the guide with a live preview, adds a question and publishes it.
    sign_in("trainer1")
    page.get_by_role("link", name="New guide").click()
    page.get_by_label("Title").fill("Data packs: who and how")
    page.get_by_label("Text (Markdown)").fill("## Heavy users\n\nOffer **more data** first.")
    preview = page.locator("#guide-preview")
    expect(preview.locator("h2")).to_have_text("Heavy users")
    expect(preview.locator("strong")).to_have_text("more data")
    page.get_by_label(campaign.name).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Guide saved as a draft")).to_be_visible()
    page.get_by_label("Question").fill("What do you offer heavy users first?")
    page.get_by_label("Answers").fill("* More data\nA new phone\nNothing")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added")).to_be_visible()
    page.locator("#publish-h ~ form").get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Version 1 published")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The agent finds it in My training, reads it, acknowledges it and passes the quiz.
    sign_in("store1")
    page.get_by_role("link", name="My training").click()
    page.get_by_role("link", name="Data packs: who and how").click()
    expect(page.locator(".guide-text strong")).to_have_text("more data")
    page.get_by_role("button", name="I have read and understood this guide").click()
    expect(page.get_by_text("Now take the quiz")).to_be_visible()
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_label("A new phone").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Not passed yet")).to_be_visible()
    expect(page.locator(".wrong-answers")).to_contain_text("What do you offer heavy users first?")
    page.get_by_role("link", name="Try again").click()
    page.get_by_label("More data").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Passed")).to_be_visible()

    # Now the campaign's offers are shown to this agent.
    page.goto(live_server.url + customer_url(user=store1, customer_id=customer.pk))
    expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
    assert "UP-DATA" in shown_campaigns(customer)
    up_data_titles = list(campaign.offers.values_list("title", flat=True))
    assert any(page.get_by_role("heading", name=t).count() for t in up_data_titles)
