"""The agent's training pages take a fixed number of queries, however long the quiz."""

import pytest

from tests.factories import make_guide
from training.choices import QuestionKind
from training.publishing import add_question, publish_guide

pytestmark = pytest.mark.django_db


def longer(guide, trainer, extra: int):
    for n in range(extra):
        add_question(
            guide=guide,
            text=f"Extra question {n}?",
            kind=QuestionKind.SINGLE,
            choices=[("Right", True), ("Wrong", False)],
        )
    publish_guide(guide=guide, by=trainer, material=False)
    guide.refresh_from_db()


def test_reading_a_guide_takes_the_same_queries_for_a_short_or_long_quiz(
    client, agent, trainer, django_assert_num_queries
):
    guide = make_guide()
    client.force_login(agent)
    client.get(f"/training/mine/{guide.pk}/")  # first opening is remembered once
    # session, user, roles, profile, assignment, this version's completion, an earlier one
    with django_assert_num_queries(7):
        assert client.get(f"/training/mine/{guide.pk}/").status_code == 200
    longer(guide, trainer, 5)
    with django_assert_num_queries(7):
        assert client.get(f"/training/mine/{guide.pk}/").status_code == 200


def test_the_quiz_page_takes_the_same_queries_for_a_short_or_long_quiz(
    client, agent, trainer, django_assert_num_queries
):
    guide = make_guide(max_attempts=3)
    client.force_login(agent)
    # session, user, roles, profile, assignment, attempts used
    with django_assert_num_queries(6):
        assert client.get(f"/training/mine/{guide.pk}/quiz/").status_code == 200
    longer(guide, trainer, 5)
    with django_assert_num_queries(6):
        body = client.get(f"/training/mine/{guide.pk}/quiz/").content.decode()
    assert body.count("<fieldset") == 7
