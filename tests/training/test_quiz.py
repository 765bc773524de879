"""Quizzes: scoring, pass mark, attempts, shuffled answers, what was wrong."""

import pytest

from tests.factories import make_guide, quiz_post, right_answers
from training.forms import QuizForm
from training.models import AttemptAnswer, Completion, QuizAttempt
from training.progress import acknowledge, submit_quiz

pytestmark = pytest.mark.django_db


def questions(guide):
    single, multiple = guide.current_version.quiz
    return single, multiple


def ids(question, *, correct):
    return [str(c["id"]) for c in question["choices"] if c["correct"] is correct]


def test_all_right_scores_100_and_passes(agent):
    guide = make_guide()
    graded = submit_quiz(user=agent, guide=guide, answers=right_answers(guide))
    assert graded.attempt.score == 100 and graded.attempt.passed and graded.wrong == []


def test_a_several_answer_question_needs_every_right_answer_and_no_wrong_one(agent):
    guide = make_guide(pass_mark=100)
    single, multiple = questions(guide)
    right = ids(multiple, correct=True)
    for chosen in ([right[0]], [*right, *ids(multiple, correct=False)]):
        answers = {str(single["id"]): ids(single, correct=True), str(multiple["id"]): chosen}
        graded = submit_quiz(user=agent, guide=guide, answers=answers)
        assert graded.attempt.score == 50 and not graded.attempt.passed
        assert [w["text"] for w in graded.wrong] == ["What may you promise?"]


def test_the_pass_mark_decides(agent):
    guide = make_guide(pass_mark=50)
    single, multiple = questions(guide)
    answers = {str(single["id"]): ids(single, correct=True), str(multiple["id"]): []}
    graded = submit_quiz(user=agent, guide=guide, answers=answers)
    assert graded.attempt.score == 50 and graded.attempt.passed


def test_limited_attempts_run_out_with_a_clear_message(client, agent):
    guide = make_guide(max_attempts=2)
    single, multiple = questions(guide)
    wrong = {
        str(single["id"]): ids(single, correct=False),
        str(multiple["id"]): ids(multiple, correct=False),
    }
    client.force_login(agent)
    for _ in range(2):
        assert client.post(f"/training/mine/{guide.pk}/quiz/", quiz_post(wrong)).status_code == 200
    response = client.post(f"/training/mine/{guide.pk}/quiz/", quiz_post(right_answers(guide)))
    assert response.status_code == 422
    assert "You have used all 2 attempts at this quiz" in response.content.decode()
    assert QuizAttempt.objects.filter(user=agent).count() == 2
    assert (
        "You have used all your attempts"
        in client.get(f"/training/mine/{guide.pk}/").content.decode()
    )


def test_unlimited_attempts_never_run_out(agent):
    guide = make_guide(max_attempts=0)
    for _ in range(6):
        submit_quiz(user=agent, guide=guide, answers={})
    assert submit_quiz(user=agent, guide=guide, answers=right_answers(guide)).attempt.passed


def test_after_submitting_the_agent_sees_which_answers_were_wrong(client, agent):
    guide = make_guide()
    single, multiple = questions(guide)
    answers = {
        str(single["id"]): ids(single, correct=False),
        str(multiple["id"]): ids(multiple, correct=True),
    }
    client.force_login(agent)
    response = client.post(f"/training/mine/{guide.pk}/quiz/", quiz_post(answers))
    body = response.content.decode()
    assert "You scored 50%" in body and "Not passed yet" in body
    assert "Who is it for?" in body and "Your answer: Everyone" in body
    assert "What may you promise?" not in body  # answered right
    assert "Try again" in body


def test_an_unanswered_question_is_pointed_out_before_scoring(client, agent):
    guide = make_guide()
    single, _multiple = questions(guide)
    client.force_login(agent)
    response = client.post(
        f"/training/mine/{guide.pk}/quiz/", {f"q{single['id']}": ids(single, correct=True)}
    )
    assert response.status_code == 422
    assert "Answer this question." in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_answers_are_shuffled(agent):
    guide = make_guide()
    quiz = guide.current_version.quiz
    orders = {
        tuple(
            value
            for value, _label in QuizForm(quiz=quiz, seed=seed).fields[f"q{quiz[1]['id']}"].choices
        )
        for seed in range(30)
    }
    assert len(orders) > 1


def test_passing_and_acknowledging_completes_the_guide_in_either_order(agent, make_user):
    guide = make_guide()
    submit_quiz(user=agent, guide=guide, answers=right_answers(guide))
    assert Completion.objects.get(user=agent).completed_at is None  # not acknowledged yet
    acknowledge(user=agent, guide=guide)
    assert Completion.objects.get(user=agent).completed_at is not None


def test_a_guide_without_a_quiz_is_complete_once_acknowledged(agent):
    guide = make_guide(questions=False)
    assert acknowledge(user=agent, guide=guide).completed_at is not None


def test_each_answer_is_recorded_right_or_wrong_for_the_trainer(agent):
    guide = make_guide()
    single, multiple = questions(guide)
    submit_quiz(
        user=agent,
        guide=guide,
        answers={
            str(single["id"]): ids(single, correct=False),
            str(multiple["id"]): ids(multiple, correct=True),
        },
    )
    assert sorted(AttemptAnswer.objects.values_list("question_text", "correct")) == [
        ("What may you promise?", True),
        ("Who is it for?", False),
    ]


def test_answers_given_as_ids_of_another_question_score_nothing(agent):
    guide = make_guide()
    single, multiple = questions(guide)
    answers = {
        str(single["id"]): ids(multiple, correct=True),
        str(multiple["id"]): ids(single, correct=True),
    }
    assert submit_quiz(user=agent, guide=guide, answers=answers).attempt.score == 0
