from django.urls import path

from . import views

app_name = "channels"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("outbound/", views.outbound, name="outbound"),
    path("team/", views.team, name="team"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<str:code>/", views.site_detail, name="site_detail"),
]
