"""Enumerations of the training app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer is right")
    MULTIPLE = "multiple", _("Several answers may be right")
