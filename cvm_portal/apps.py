from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CvmPortalConfig(AppConfig):
    """Project-wide pieces: roles and their groups, health, the Celery app."""

    name = "cvm_portal"
    verbose_name = _("CVM Portal")

    def ready(self) -> None:
        from django.contrib import messages
        from django.contrib.auth.signals import user_logged_out

        def say_signed_out(sender, request, user, **kwargs):
            # Shared counter PCs and tablets: make it obvious the session really ended.
            messages.info(request, _("You are signed out. The next person can sign in here."))

        user_logged_out.connect(say_signed_out, dispatch_uid="cvm_say_signed_out", weak=False)
