"""The weekly sales digest in a real browser: a trainer comments on last week's draft and
publishes it; a store agent then reads it, comment first, in My training and on the console."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from campaigns.choices import ChannelKind
from campaigns.models import Campaign, OfferContent
from tests.factories import at
from tests.training.test_digest import outcomes
from training import digest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trainer_comments_and_publishes_and_an_agent_reads_it_in_my_training(
    demo_world, page, live_server, sign_in
):
    store1 = get_user_model().objects.get(username="store1")
    content = OfferContent.objects.filter(channel_kind=ChannelKind.STORE).select_related("offer")[0]
    campaign = Campaign.objects.filter(offers=content.offer).first()
    week = digest.last_week()
    outcomes(content.offer, campaign, store1.agent_profile.site, when=at(week + timedelta(days=2)),
             accepted=24, later=16)  # fmt: skip
    digest.build_digest(week_start=week)

    sign_in("trainer1")
    page.get_by_role("link", name="Sales digest").click()
    page.get_by_role("link", name=digest.WeeklyDigest.objects.get().week_label).click()
    expect(page.get_by_text("Agents do not see this draft yet")).to_be_visible()
    expect(page.get_by_role("heading", name=f"1. {content.offer.title}")).to_be_visible()
    page.get_by_label("Your comment to agents").fill("Open with this one: 60 % said yes.")
    page.get_by_role("button", name="Publish").first.click()
    expect(page.get_by_text("Published: agents see it")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    sign_in("store1")
    page.goto(f"{live_server.url}/training/mine/")
    card = page.locator(".digest-card")
    expect(card).to_contain_text("Open with this one: 60 % said yes.")
    expect(card).to_contain_text(f"{content.offer.title} 60% accepted (24 of 40)")
    card.get_by_role("link", name="Read the whole digest").click()
    expect(page.get_by_role("heading", name="From the trainer")).to_be_visible()
    page.goto(f"{live_server.url}/console/")
    expect(page.locator(".digest-card")).to_contain_text(content.offer.title)
