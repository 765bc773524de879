"""Trainers write guides, questions and images in the portal; nobody else may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.choices import ChannelKind
from cvm_portal.roles import Role
from tests.factories import make_guide
from training.models import Assignment, Guide, GuideImage, Question

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.CVM_MANAGER])
def test_only_trainers_author(client, make_user, role):
    guide = make_guide()
    client.force_login(make_user(role))
    assert client.get("/training/").status_code == 403
    assert client.get("/training/guides/new/").status_code == 403
    assert client.post("/training/guides/new/", {"title": "x", "body": "y"}).status_code == 403
    assert client.get(f"/training/guides/{guide.pk}/edit/").status_code == 403
    assert (
        client.post(f"/training/guides/{guide.pk}/publish/", {"material": "1"}).status_code == 403
    )
    assert Guide.objects.count() == 1 and guide.versions.count() == 1


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/training/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_trainer_writes_a_guide_for_a_campaign_and_an_audience(
    client, trainer, site, campaign_world
):
    client.force_login(trainer)
    response = client.post(
        "/training/guides/new/",
        {
            "title": "Fibre: the pitch",
            "body": "## Who\n\nEveryone without fibre.",
            "campaigns": [campaign_world["campaign"].pk],
            "channel_kinds": [ChannelKind.STORE],
            "site_ids": [site.pk],
            "roles": [Role.AGENT.value],
            "due_days": 7,
            "pass_mark": 80,
            "max_attempts": 3,
        },
    )
    guide = Guide.objects.get()
    assert response.status_code == 302 and response.url == f"/training/guides/{guide.pk}/edit/"
    assert guide.site_ids == [site.pk] and guide.channel_kinds == [ChannelKind.STORE]
    assert list(guide.campaigns.all()) == [campaign_world["campaign"]]
    assert guide.author == trainer and guide.current_version is None  # a draft


def test_a_guide_without_a_title_or_with_an_unknown_site_is_refused_with_a_message(client, trainer):
    client.force_login(trainer)
    response = client.post(
        "/training/guides/new/", {"title": "", "body": "x", "site_ids": [999], "due_days": 7}
    )
    body = response.content.decode()
    assert response.status_code == 200 and not Guide.objects.exists()
    assert "This field is required." in body
    assert "Select a valid choice. 999 is not one of the available choices." in body


def test_a_trainer_adds_questions_with_right_answers_marked(client, trainer):
    guide = make_guide(questions=False, publish=False)
    client.force_login(trainer)
    response = client.post(
        f"/training/guides/{guide.pk}/questions/",
        {"text": "Who?", "kind": "single", "choices": "* Mobile customers\nEveryone\n"},
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("Mobile customers", True),
        ("Everyone", False),
    ]


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", "Only one", "Give at least two answers"),
        ("single", "A\nB", "Mark the right answer with a *"),
        ("single", "*A\n*B", "exactly one right answer; 2 are marked"),
        ("multiple", "*A\nA", "Two answers are the same"),
    ],
)
def test_a_question_an_agent_could_not_answer_is_refused(client, trainer, kind, choices, message):
    guide = make_guide(questions=False, publish=False)
    client.force_login(trainer)
    response = client.post(
        f"/training/guides/{guide.pk}/questions/", {"text": "Q?", "kind": kind, "choices": choices}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_an_image_is_uploaded_with_the_guide_and_its_markdown_offered(
    client, trainer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    guide = make_guide(publish=False)
    client.force_login(trainer)
    response = client.post(
        f"/training/guides/{guide.pk}/images/",
        {"image": SimpleUploadedFile("map.png", PNG, "image/png"), "alt": "Coverage map"},
        follow=True,
    )
    image = GuideImage.objects.get()
    assert image.guide == guide and image.uploaded_by == trainer
    assert f"![Coverage map](/training/images/{image.pk}/)" in response.content.decode()
    # Served by the portal to signed-in people (production has no public media URL); not to others.
    served = client.get(f"/training/images/{image.pk}/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    from django.test import Client

    assert Client().get(f"/training/images/{image.pk}/").status_code == 302  # to the sign-in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.png", b"<script>alert(1)</script>", "Upload a PNG, JPEG, GIF or WebP image"),
        ("evil.svg", b"<svg onload='alert(1)'/>", "Upload a PNG, JPEG, GIF or WebP image"),
        ("photo.jpg", PNG, "Upload a PNG, JPEG, GIF or WebP image"),
        ("big.png", PNG + b"\x00" * (2 * 1024 * 1024), "the limit is 2 MB"),
    ],
)
def test_an_upload_that_is_not_a_small_image_is_refused(
    client, trainer, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    guide = make_guide(publish=False)
    client.force_login(trainer)
    response = client.post(
        f"/training/guides/{guide.pk}/images/",
        {"image": SimpleUploadedFile(name, content), "alt": "x"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not GuideImage.objects.exists()


def test_publishing_assigns_the_guide_to_its_audience_only(client, trainer, make_user, site):
    store_agent = make_user(Role.AGENT, site=site)
    lead = make_user(Role.TEAM_LEAD, site=site)
    caller = make_user(Role.AGENT, site=site, channel_kind=ChannelKind.INBOUND_CALL)
    elsewhere = make_user(Role.AGENT)
    make_user(Role.TRAINER)
    guide = make_guide(
        publish=False, channel_kinds=[ChannelKind.STORE], site_ids=[site.pk], due_days=10
    )
    client.force_login(trainer)
    response = client.post(f"/training/guides/{guide.pk}/publish/", {"material": "1"}, follow=True)
    assert "Version 1 published; 2 people have it assigned." in response.content.decode()
    assigned = set(Assignment.objects.values_list("user_id", flat=True))
    assert assigned == {store_agent.pk, lead.pk}
    assert caller.pk not in assigned and elsewhere.pk not in assigned
    a = Assignment.objects.get(user=store_agent)
    assert (a.due_at - a.assigned_at).days == 10 and a.site_id == site.pk


def test_an_audience_of_team_leads_leaves_agents_out(make_user, site):
    agent = make_user(Role.AGENT, site=site)
    lead = make_user(Role.TEAM_LEAD, site=site)
    make_guide(roles=[Role.TEAM_LEAD.value])
    assert set(Assignment.objects.values_list("user_id", flat=True)) == {lead.pk}
    assert agent.pk not in set(Assignment.objects.values_list("user_id", flat=True))


def test_the_trainer_workspace_lists_guides_and_says_what_to_do_when_empty(client, trainer):
    client.force_login(trainer)
    assert "No guide yet" in client.get("/training/").content.decode()
    make_guide(title="Fibre: the pitch")
    body = client.get("/training/").content.decode()
    assert "Fibre: the pitch" in body and "version 1" in body
