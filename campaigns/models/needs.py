"""The taxonomy of customer needs CVM managers maintain ("wants a cheaper plan", "coverage
problem", "competitor offer"…): agents tag notes with it, CVM tags research recordings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedTag(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=100)  # English and Polish (translation.py)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Agents can choose only active needs.")
    )

    class Meta:
        verbose_name = _("customer need")
        verbose_name_plural = _("customer needs")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label
