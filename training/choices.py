"""Enumerations of the training app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer is right")
    MULTIPLE = "multiple", _("Several answers may be right")


class DigestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: a trainer may comment")
    PUBLISHED = "published", _("Published")


class DigestSection(models.TextChoices):
    OFFER = "offer", _("Top offers and their scripts")
    OBJECTION = "objection", _("Objections")
    NEED = "need", _("What customers asked for")
