from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("guides/new/", views.guide_create, name="guide_create"),
    path("guides/<int:pk>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<int:pk>/questions/", views.question_add, name="question_add"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("guides/<int:pk>/images/", views.image_upload, name="image_upload"),
    path("images/<int:pk>/", views.guide_image, name="image"),
    path("guides/<int:pk>/publish/", views.publish, name="publish"),
    path("preview/", views.preview, name="preview"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("insight/", views.insight, name="insight"),
    path("mine/", views.my_training, name="my_training"),
    path("mine/<int:pk>/", views.guide_read, name="guide_read"),
    path("mine/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("mine/<int:pk>/quiz/", views.quiz, name="quiz"),
]
