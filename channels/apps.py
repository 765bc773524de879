from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """The delivery side: sites, agents, their workspaces (console, outbound lists, team)."""

    name = "channels"
    verbose_name = _("Channels and sites")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from campaigns import catalogue
        from campaigns.results.sources import register_delivery
        from channels.agents import TrainingDirectory
        from channels.models import BonusPlan, BonusRule
        from channels.results import ResultsDelivery
        from training.sites import register_directory

        # Training asks the delivery side who works where through this (it never imports us).
        register_directory(TrainingDirectory())
        # So do the programme results (sites, teams, outbound work): campaigns.results.sources.
        register_delivery(ResultsDelivery())

        # The console reads bonus rules from the catalogue's memo (bonus.would_earn).
        for model in (BonusPlan, BonusRule):
            post_save.connect(
                catalogue.invalidate, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}"
            )
            post_delete.connect(
                catalogue.invalidate,
                sender=model,
                dispatch_uid=f"catalogue-delete-{model.__name__}",
            )
        m2m_changed.connect(
            catalogue.invalidate,
            sender=BonusPlan.sites.through,
            dispatch_uid="catalogue-plan-sites",
        )
