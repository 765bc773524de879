from django.urls import path

from . import views
from .loads import views as loadviews

app_name = "campaigns"

urlpatterns = [
    path("", views.manager_home, name="manager_home"),
    path("loads/", loadviews.load_list, name="load_list"),
    path("feedback/", views.feedback_inbox, name="feedback_inbox"),
    path("feedback/<int:pk>/", views.feedback_answer, name="feedback_answer"),
    path("loads/<int:pk>/", loadviews.load_detail, name="load_detail"),
    path("loads/<int:pk>/rejects.csv", loadviews.load_rejects_csv, name="load_rejects_csv"),
]
