"""Publishing freezes a version; a material change asks for re-acknowledgement, a minor one not."""

import pytest

from cvm_portal.roles import Role
from tests.factories import make_guide, right_answers
from training.models import Completion
from training.progress import acknowledge, my_training, submit_quiz
from training.publishing import publish_guide

pytestmark = pytest.mark.django_db


def complete(user, guide):
    acknowledge(user=user, guide=guide)
    submit_quiz(user=user, guide=guide, answers=right_answers(guide))


def test_agents_read_the_published_version_not_the_draft(client, agent):
    guide = make_guide(body="Version one text.")
    guide.body = "A draft nobody should see yet."
    guide.save()
    client.force_login(agent)
    body = client.get(f"/training/mine/{guide.pk}/").content.decode()
    assert "Version one text." in body and "A draft nobody" not in body


def test_a_material_change_asks_those_who_completed_to_re_acknowledge(client, agent, trainer):
    guide = make_guide(body="Old rules.")
    complete(agent, guide)
    assert my_training(agent)["completed"]
    guide.body = "New rules: the price changed."
    guide.save()
    client.force_login(trainer)
    client.post(f"/training/guides/{guide.pk}/publish/", {"material": "1", "note": "New price"})
    guide.refresh_from_db()
    assert guide.current_version.number == 2 and guide.required_version == 2
    groups = my_training(agent)
    assert not groups["completed"]
    [item] = groups["assigned"]
    assert item.status == "reacknowledge"
    client.force_login(agent)
    body = client.get(f"/training/mine/{guide.pk}/").content.decode()
    assert "New rules: the price changed." in body
    assert "This guide changed since you completed version 1" in body and "New price" in body
    # Re-acknowledging the new version completes it again; the quiz passed before still counts.
    client.post(f"/training/mine/{guide.pk}/acknowledge/")
    assert my_training(agent)["completed"]
    versions = sorted(
        Completion.objects.filter(user=agent, completed_at__isnull=False).values_list(
            "version__number", flat=True
        )
    )
    assert versions == [1, 2]  # each completion keeps the version it completed


def test_a_minor_fix_is_published_without_asking_anyone_again(client, agent, trainer):
    guide = make_guide(body="Teh rules.")
    complete(agent, guide)
    guide.body = "The rules."
    guide.save()
    client.force_login(trainer)
    client.post(f"/training/guides/{guide.pk}/publish/", {"material": "0"})
    guide.refresh_from_db()
    assert guide.current_version.number == 2 and guide.required_version == 1
    [item] = my_training(agent)["completed"]
    assert item.completion.version.number == 1  # the record keeps the version completed
    client.force_login(agent)
    assert "The rules." in client.get(f"/training/mine/{guide.pk}/").content.decode()


def test_the_first_version_is_always_material_and_versions_are_numbered(trainer):
    guide = make_guide(publish=False)
    first = publish_guide(guide=guide, by=trainer, material=False)
    second = publish_guide(guide=guide, by=trainer, material=False)
    guide.refresh_from_db()
    assert (first.number, first.material) == (1, True)
    assert (second.number, second.material) == (2, False)
    assert guide.required_version == 1 and guide.current_version == second


def test_a_version_freezes_its_quiz(agent):
    guide = make_guide()
    frozen = guide.current_version.quiz
    guide.questions.first().delete()
    guide.refresh_from_db()
    assert guide.current_version.quiz == frozen and len(frozen) == 2
    graded = submit_quiz(user=agent, guide=guide, answers=right_answers(guide))
    assert graded.attempt.score == 100


def test_completing_an_old_version_after_a_material_change_does_not_count(agent, trainer):
    guide = make_guide()
    acknowledge(user=agent, guide=guide)  # started on version 1, quiz not passed
    publish_guide(guide=guide, by=trainer, material=True)
    guide.refresh_from_db()
    assert not my_training(agent)["completed"]
    old = Completion.objects.get(user=agent, version__number=1)
    assert old.completed_at is None


@pytest.mark.parametrize("role", [Role.TRAINER])
def test_the_trainer_sees_the_version_history(client, make_user, role):
    trainer = make_user(role)
    guide = make_guide(by=trainer)
    publish_guide(guide=guide, by=trainer, material=False, note="Typo")
    client.force_login(trainer)
    body = client.get(f"/training/guides/{guide.pk}/edit/").content.decode()
    assert "Version 2," in body and "minor" in body and "Typo" in body


def test_after_a_minor_fix_the_guide_page_says_the_earlier_completion_still_counts(
    client, agent, trainer
):
    guide = make_guide()
    complete(agent, guide)
    publish_guide(guide=guide, by=trainer, material=False)
    client.force_login(agent)
    body = client.get(f"/training/mine/{guide.pk}/").content.decode()
    assert "(version 1); the changes since then are minor, so it still counts." in body
    assert "I have read and understood this guide" not in body
