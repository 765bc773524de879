from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Programme guides, quizzes, assignments and completions (guides belong to campaigns)."""

    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from campaigns.decisioning import register_training_gate
        from campaigns.results.sources import register_training

        from .gating import untrained_campaigns
        from .results import ResultsTraining

        register_training_gate(untrained_campaigns)
        register_training(ResultsTraining())  # completion beside a campaign's results
        # The roadmap board: digital team members update their digital channels' items.
        from campaigns.roadmap.editors import register_team_channels

        from .teams import kinds_of

        register_team_channels("digital_team", kinds_of)
