from django.urls import path

from . import console, views

app_name = "channels"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/find/", console.find, name="console_find"),
    path("console/pop/", console.screen_pop, name="screen_pop"),
    path("console/customers/<int:pk>/", console.customer_page, name="console_customer"),
    path("console/offers/<int:pk>/outcome/", console.outcome, name="console_outcome"),
    path("console/offers/<int:pk>/feedback/", console.feedback, name="console_feedback"),
    path("outbound/", views.outbound, name="outbound"),
    path("team/", views.team, name="team"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<str:code>/", views.site_detail, name="site_detail"),
]
