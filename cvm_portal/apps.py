from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CvmPortalConfig(AppConfig):
    """Project-wide pieces: roles and their groups, health, the Celery app."""

    name = "cvm_portal"
    verbose_name = _("CVM Portal")
