from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CvmPortalConfig(AppConfig):
    """Project-wide pieces: roles and their groups, health, the Celery app."""

    name = "cvm_portal"
    verbose_name = _("CVM Portal")

    def ready(self) -> None:
        from django.contrib import messages
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .idle import stamp_sign_in

        def say_signed_out(*, request, **_kwargs):
            if getattr(request, "cvm_signed_out_idle", False):
                return  # the idle timeout says why, itself
            # Shared counter PCs and tablets: make it obvious the session really ended.
            messages.info(request, _("You are signed out. The next person can sign in here."))

        user_logged_out.connect(say_signed_out, dispatch_uid="cvm_say_signed_out", weak=False)
        user_logged_in.connect(stamp_sign_in, dispatch_uid="cvm_stamp_sign_in")
