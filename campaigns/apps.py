from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """The CVM side: customers, products, offers, campaigns, (later) loads and decisioning."""

    name = "campaigns"
    verbose_name = _("CVM campaigns")

    def ready(self) -> None:
        from . import catalogue

        catalogue.connect_signals()
