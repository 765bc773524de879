from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """The delivery side: sites, agents, their workspaces (console, outbound lists, team)."""

    name = "channels"
    verbose_name = _("Channels and sites")
