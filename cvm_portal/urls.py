"""URLs of the whole portal. Every view requires a login unless marked ``login_not_required``."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from campaigns import urls as campaigns_urls
from channels.capacity import views as capacity_views

from . import views

admin.site.site_header = _("CVM Portal administration")
admin.site.site_title = _("CVM Portal")
admin.site.index_title = _("Campaigns, offers, sites and people")

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Browsers ask /favicon.ico of pages without an icon link (the API, files): send them to
    # the icon. Not permanent: in production its URL carries a content hash that may change.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
        name="favicon",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("channels.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves its start-up script from a URL, not inline; Swagger UI still
        # needs inline styles (its page has a <style> block) and data: images (its icons).
        csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    # The capacity calendar is a CVM page (campaigns:capacity) built by the delivery side, which
    # the CVM side may not import: its URL joins the campaigns namespace here.
    path(
        "cvm/",
        include(
            (
                [
                    *campaigns_urls.urlpatterns,
                    path("capacity/", capacity_views.capacity_calendar, name="capacity"),
                ],
                campaigns_urls.app_name,
            )
        ),
    ),
    path("training/", include("training.urls")),
    path("", include("channels.urls")),
]

handler500 = views.server_error

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
