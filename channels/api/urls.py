from django.urls import path, re_path

import cvm_portal.converters  # noqa: F401 - registers <id:…>
from channels.ussd.views import UssdView

from . import events, handover, recordings, support, views
from .errors import NoSuchOperation

app_name = "api"

urlpatterns = [
    path("decisions/", views.DecisionView.as_view(), name="decisions"),
    path("outcomes/", views.OutcomeView.as_view(), name="outcomes"),
    path("events/", events.EventBatchView.as_view(), name="events"),
    path("ussd/", UssdView.as_view(), name="ussd"),  # Africa's Talking's callback format
    path("handovers/", handover.HandoverListView.as_view(), name="handovers"),
    path("handovers/<uuid:pk>/", handover.HandoverDetailView.as_view(), name="handover"),
    path("support-options/", support.SupportOptionsView.as_view(), name="support-options"),
    path("recordings/", recordings.RecordingListView.as_view(), name="recordings"),
    path("recordings/<id:pk>/", recordings.RecordingDetailView.as_view(), name="recording"),
]

# Last: any other address under the API is a 404 in JSON, not the site's HTML page.
urlpatterns.append(re_path(r"", NoSuchOperation.as_view(), name="no-such-operation"))
