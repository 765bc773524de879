from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """The CVM side: customers, products, offers, campaigns, (later) loads and decisioning."""

    name = "campaigns"
    verbose_name = _("CVM campaigns")

    def ready(self) -> None:
        # tasks: the Celery tasks, registered in every process (web ones too), because loads
        # are queued by the task's name (campaigns.loads.runs.LOAD_TASK): the tasks import
        # the loads, so the loads do not import the tasks.
        from . import catalogue, channel_registry, context, tasks  # noqa: F401

        catalogue.connect_signals()
        channel_registry.connect_signals()  # an admin's edit reaches every process
        context.connect_signals()  # the stated intents, held with the catalogue
        # Celery workers check the kill switch's stop generation before every task.
        from .governance import stop_signal

        stop_signal.connect()
