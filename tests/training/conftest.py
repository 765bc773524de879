"""Training test data: a live campaign with one offer, a published guide with a quiz."""

import pytest

from campaigns.choices import CampaignStatus, ChannelKind
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    SiteFactory,
    target_group,
)
from training.models import Guide, QuestionKind
from training.publishing import add_question, publish_guide

STORE = ChannelKind.STORE


def make_guide(*, campaigns=(), questions=True, publish=True, by=None, **fields):
    """A guide (published by default) with a one-answer and a several-answer question."""
    guide = Guide.objects.create(
        title=fields.pop("title", "Fibre: the pitch"),
        body=fields.pop("body", "## Who\n\nMobile customers **without fibre**."),
        **fields,
    )
    guide.campaigns.set(campaigns)
    if questions:
        add_question(
            guide=guide,
            text="Who is it for?",
            kind=QuestionKind.SINGLE,
            choices=[("Mobile customers without fibre", True), ("Everyone", False)],
        )
        add_question(
            guide=guide,
            text="What may you promise?",
            kind=QuestionKind.MULTIPLE,
            choices=[
                ("3 months free", True),
                ("An SMS confirms the date", True),
                ("Tomorrow", False),
            ],
        )
    if publish:
        publish_guide(guide=guide, by=by, material=True)
        guide.refresh_from_db()
    return guide


def right_answers(guide) -> dict[str, list[str]]:
    return {
        str(q["id"]): [str(c["id"]) for c in q["choices"] if c["correct"]]
        for q in guide.current_version.quiz
    }


def quiz_post(answers: dict[str, list[str]]) -> dict:
    return {f"q{qid}": values for qid, values in answers.items()}


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def other_site():
    return SiteFactory()


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER)


@pytest.fixture
def agent(make_user, site):
    return make_user(Role.AGENT, site=site)


@pytest.fixture
def campaign_world():
    """A live store campaign with one offer, and a customer in its target group."""
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(code="FIBRE", title="Fibre switch", channel_kinds=[STORE])
    campaign = CampaignFactory(
        code="XS-FIBRE", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return {"customer": customer, "offer": offer, "campaign": campaign}
