from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """The delivery side: sites, agents, their workspaces (console, outbound lists, team)."""

    name = "channels"
    verbose_name = _("Channels and sites")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from campaigns import catalogue
        from campaigns.governance.preview import register_bonus_estimate
        from campaigns.results.sources import register_delivery
        from channels.agents import TrainingDirectory
        from channels.bonus.preview import preview_earnings
        from channels.models import BonusPlan, BonusRule
        from channels.results import ResultsDelivery
        from training.sites import register_directory

        # Training asks the delivery side who works where through this (it never imports us).
        register_directory(TrainingDirectory())
        # So do the programme results (sites, teams, outbound work): campaigns.results.sources.
        register_delivery(ResultsDelivery())
        # And the campaign preview, for the agents' bonus line (campaigns.governance.preview).
        register_bonus_estimate(preview_earnings)
        # And governance, for capacity overloads and flood forecasts (channels.capacity).
        from campaigns.governance.capacity_source import register_capacity
        from channels.capacity import expected_contacts_per_hour, overloads_for_campaign

        register_capacity(
            overloads_for_campaign=overloads_for_campaign,
            expected_contacts_per_hour=expected_contacts_per_hour,
        )

        # And the sales digest, for what customers asked for (agents' need notes).
        from channels.insights.report import digest_needs
        from training.needs_source import register as register_needs

        register_needs(digest_needs)

        # The roadmap board asks which channel's items a team lead may update.
        from campaigns.roadmap.editors import register_team_channels
        from channels.roadmap import team_lead_channels

        register_team_channels("team_lead", team_lead_channels)

        # A kill-switch stop withdraws the stopped campaigns' waiting leads in its transaction.
        from campaigns.governance.kill_switch import campaigns_stopped
        from channels.outbound.withdrawal import on_campaigns_stopped

        campaigns_stopped.connect(on_campaigns_stopped, dispatch_uid="outbound-withdraw-leads")

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
