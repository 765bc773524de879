"""The training admin: every model registered, and questions checked like in the portal."""

import pytest
from django.contrib import admin

from tests.factories import make_guide
from training import models

pytestmark = pytest.mark.django_db

MODELS = [
    models.Guide,
    models.GuideVersion,
    models.GuideImage,
    models.Question,
    models.Choice,
    models.Assignment,
    models.Completion,
    models.QuizAttempt,
    models.AttemptAnswer,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_training_model_has_an_admin_page(admin_client, model):
    assert admin.site.is_registered(model)
    make_guide()
    url = f"/admin/training/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200


def test_a_one_answer_question_with_two_right_answers_is_refused_in_the_admin(admin_client):
    guide = make_guide(questions=False, publish=False)
    response = admin_client.post(
        "/admin/training/question/add/",
        {
            "guide": guide.pk,
            "text": "Who?",
            "kind": "single",
            "position": 1,
            "choices-TOTAL_FORMS": 2,
            "choices-INITIAL_FORMS": 0,
            "choices-0-text": "A",
            "choices-0-is_correct": "on",
            "choices-1-text": "B",
            "choices-1-is_correct": "on",
        },
    )
    assert response.status_code == 200
    assert "exactly one right answer; 2 are marked" in response.content.decode()
    assert not models.Question.objects.exists()


def test_the_guide_admin_uses_the_authoring_form(admin_client, site):
    guide = make_guide()
    body = admin_client.get(f"/admin/training/guide/{guide.pk}/change/").content.decode()
    assert f'name="site_ids" value="{site.pk}"' in body and 'name="roles"' in body
