from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Programme guides, quizzes, assignments and completions (guides belong to campaigns)."""

    name = "training"
    verbose_name = _("Training")
