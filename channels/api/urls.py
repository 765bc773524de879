from django.urls import path, re_path

from channels.ussd.views import UssdView

from . import events, handover, views
from .errors import NoSuchOperation

app_name = "api"

urlpatterns = [
    path("decisions/", views.DecisionView.as_view(), name="decisions"),
    path("outcomes/", views.OutcomeView.as_view(), name="outcomes"),
    path("events/", events.EventBatchView.as_view(), name="events"),
    path("ussd/", UssdView.as_view(), name="ussd"),  # Africa's Talking's callback format
    path("handovers/", handover.HandoverListView.as_view(), name="handovers"),
    path("handovers/<uuid:pk>/", handover.HandoverDetailView.as_view(), name="handover"),
]

# Last: any other address under the API is a 404 in JSON, not the site's HTML page.
urlpatterns.append(re_path(r"", NoSuchOperation.as_view(), name="no-such-operation"))
