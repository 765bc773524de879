from django.urls import path

import cvm_portal.converters  # noqa: F401 - registers <id:…>: ids beyond the database's integers are 404s

from . import views
from .audit import views as auditviews
from .loads import views as loadviews
from .results import views as resultviews

app_name = "campaigns"

urlpatterns = [
    path("", views.manager_home, name="manager_home"),
    path("loads/", loadviews.load_list, name="load_list"),
    path("feedback/", views.feedback_inbox, name="feedback_inbox"),
    path("feedback/<id:pk>/", views.feedback_answer, name="feedback_answer"),
    path("loads/<id:pk>/", loadviews.load_detail, name="load_detail"),
    path("loads/<id:pk>/rejects.csv", loadviews.load_rejects_csv, name="load_rejects_csv"),
    path("audit/", auditviews.audit_trail, name="audit_trail"),
    path("audit.csv", auditviews.audit_trail_csv, name="audit_trail_csv"),
    path("results/", resultviews.overview, name="results"),
    path("results/export.csv", resultviews.overview_csv, name="results_csv"),
    path("results/campaigns/<id:pk>/", resultviews.campaign_results, name="campaign_results"),
    path(
        "results/campaigns/<id:pk>/export.csv",
        resultviews.campaign_results_csv,
        name="campaign_results_csv",
    ),
    path("results/mine/", resultviews.mine, name="my_results"),
    path("results/mine/export.csv", resultviews.mine_csv, name="my_results_csv"),
]
