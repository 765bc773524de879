from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("decisions/", views.DecisionView.as_view(), name="decisions"),
    path("outcomes/", views.OutcomeView.as_view(), name="outcomes"),
]
