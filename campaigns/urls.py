from django.urls import path

import cvm_portal.converters  # noqa: F401 - registers <id:…>: ids beyond the database's integers are 404s

from . import views
from .audit import views as auditviews
from .governance import kill_views, preview_views, revision_views
from .governance import views as governanceviews
from .learning_report import views as modelreportviews
from .loads import views as loadviews
from .optimisation import views as optimisationviews
from .results import views as resultviews
from .roadmap import views as roadmapviews

app_name = "campaigns"

urlpatterns = [
    path("", views.manager_home, name="manager_home"),
    path("kill-switch/", kill_views.kill_switch, name="kill_switch"),
    path("kill-switch/stop/", kill_views.stop_view, name="kill_switch_stop"),
    path("kill-switch/<id:pk>/resume/", kill_views.resume_view, name="kill_switch_resume"),
    path("flood-alerts/<id:pk>/ack/", kill_views.acknowledge_alert, name="flood_alert_ack"),
    path("loads/", loadviews.load_list, name="load_list"),
    path("campaigns/", governanceviews.campaign_list, name="campaign_list"),
    path("campaigns/<id:pk>/", governanceviews.campaign_governance, name="campaign_governance"),
    path("campaigns/<id:pk>/submit/", governanceviews.campaign_submit, name="campaign_submit"),
    path("campaigns/<id:pk>/approve/", governanceviews.campaign_approve, name="campaign_approve"),
    path("campaigns/<id:pk>/reject/", governanceviews.campaign_reject, name="campaign_reject"),
    path("campaigns/<id:pk>/go-live/", governanceviews.campaign_go_live, name="campaign_go_live"),
    path("campaigns/<id:pk>/preview/", preview_views.campaign_preview, name="campaign_preview"),
    path("offer-contents/<id:pk>/banner/", preview_views.banner_image, name="banner_image"),
    path("revisions/<id:pk>/approve/", revision_views.revision_approve, name="revision_approve"),
    path("revisions/<id:pk>/reject/", revision_views.revision_reject, name="revision_reject"),
    path("roadmap/", roadmapviews.roadmap_board, name="roadmap"),
    path("roadmap/export.csv", roadmapviews.roadmap_csv, name="roadmap_csv"),
    path("roadmap/items/<id:pk>/", roadmapviews.roadmap_item, name="roadmap_item"),
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
    path("optimisation/", optimisationviews.optimisation, name="optimisation"),
    path("optimisation/export.csv", optimisationviews.optimisation_csv, name="optimisation_csv"),
    path(
        "optimisation/policy/",
        optimisationviews.save_routing_policy,
        name="optimisation_save_policy",
    ),
    path("results/model/", modelreportviews.report, name="model_report"),
    path("results/model/export.csv", modelreportviews.report_csv, name="model_report_csv"),
    path("results/model/offers/<id:pk>/", modelreportviews.offer_report, name="model_report_offer"),
    path(
        "results/model/offers/<id:pk>/export.csv",
        modelreportviews.offer_report_csv,
        name="model_report_offer_csv",
    ),
]
