from django.urls import path

from . import console, outbound_views, views

app_name = "channels"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/find/", console.find, name="console_find"),
    path("console/pop/", console.screen_pop, name="screen_pop"),
    path("console/customers/<int:pk>/", console.customer_page, name="console_customer"),
    path("console/offers/<int:pk>/outcome/", console.outcome, name="console_outcome"),
    path("console/offers/<int:pk>/feedback/", console.feedback, name="console_feedback"),
    path("outbound/", outbound_views.screen, name="outbound"),
    path("outbound/next/", outbound_views.next_customer, name="outbound_next"),
    path("outbound/leads/<int:pk>/attempt/", outbound_views.attempt, name="outbound_attempt"),
    path("outbound/leads/<int:pk>/wrap-up/", outbound_views.wrap_up, name="outbound_wrap_up"),
    path("outbound/offers/<int:pk>/outcome/", outbound_views.outcome, name="outbound_outcome"),
    path("outbound/lists/", outbound_views.call_lists, name="call_lists"),
    path("outbound/lists.csv", outbound_views.call_lists_csv, name="call_lists_csv"),
    path("outbound/lists/build/", outbound_views.build_lists, name="call_lists_build"),
    path("team/", views.team, name="team"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<str:code>/", views.site_detail, name="site_detail"),
]
