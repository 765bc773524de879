from django.urls import path

import cvm_portal.converters  # noqa: F401 - registers <id:…>: ids beyond the database's integers are 404s

from . import digest_views, views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("guides/new/", views.guide_create, name="guide_create"),
    path("guides/<id:pk>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<id:pk>/questions/", views.question_add, name="question_add"),
    path("questions/<id:pk>/delete/", views.question_delete, name="question_delete"),
    path("guides/<id:pk>/images/", views.image_upload, name="image_upload"),
    path("images/<id:pk>/", views.guide_image, name="image"),
    path("guides/<id:pk>/publish/", views.publish, name="publish"),
    path("preview/", views.preview, name="preview"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("insight/", views.insight, name="insight"),
    path("mine/", views.my_training, name="my_training"),
    path("mine/<id:pk>/", views.guide_read, name="guide_read"),
    path("mine/<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("mine/<id:pk>/quiz/", views.quiz, name="quiz"),
    path("digests/", digest_views.digest_list, name="digests"),
    path("digests/build/", digest_views.digest_build, name="digest_build"),
    path("digests/<id:pk>/", digest_views.digest_detail, name="digest"),
    path("digests/<id:pk>/review/", digest_views.digest_review, name="digest_review"),
]
