"""Self-learning propensity: a Bayesian estimate of acceptance per offer, channel kind and
customer group, learned from recorded outcomes with the warehouse's view as the prior.

Each row is a beta distribution: the prior mean (the file's propensities for the group, or
the campaign's default) worth ``prior_weight`` pseudo-presentations, plus the evidence —
presentations with an outcome (not-presented ones do not count) and acceptances among them.
``campaigns.learning`` refreshes the rows and serves them to decisions.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import PropensitySource  # noqa: F401 - re-exported
from .core import Offer


class LearnedPropensity(models.Model):
    """Acceptance of one offer in one channel kind by one customer group (segment × value tier)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    channel_kind = models.CharField(_("channel kind"), max_length=20)
    segment = models.CharField(_("segment"), max_length=20)
    value_tier = models.CharField(_("value tier"), max_length=20)
    prior = models.FloatField(
        _("prior acceptance"), validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    prior_weight = models.FloatField(_("prior weight (presentations)"), default=20)
    presented = models.PositiveIntegerField(_("presented with an outcome"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("learned propensity")
        verbose_name_plural = _("learned propensities")
        ordering = ["offer", "channel_kind", "segment", "value_tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "channel_kind", "segment", "value_tier"],
                name="learned_propensity_once_per_group",
            ),
            models.CheckConstraint(
                condition=Q(accepted__lte=models.F("presented")),
                name="learned_propensity_accepted_le_presented",
            ),
            models.CheckConstraint(
                condition=Q(prior__gte=0) & Q(prior__lte=1), name="learned_propensity_prior_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.channel_kind} {self.segment}/{self.value_tier}"

    @property
    def alpha(self) -> float:
        return self.prior * self.prior_weight + self.accepted

    @property
    def beta(self) -> float:
        return (1 - self.prior) * self.prior_weight + (self.presented - self.accepted)

    @property
    def mean(self) -> float:
        """The posterior mean: the learned likelihood of acceptance."""
        total = self.alpha + self.beta
        return self.prior if total <= 0 else self.alpha / total


class LearningRun(models.Model):
    """One refresh of the learned propensities: full (a command) or incremental (Celery)."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    responses = models.PositiveBigIntegerField(_("outcomes read"), default=0)
    # The highest Response id the learned rows include: the next incremental run starts above.
    up_to_response_id = models.BigIntegerField(_("up to outcome id"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("learning run")
        verbose_name_plural = _("learning runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
