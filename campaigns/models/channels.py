"""The channel registry: every channel an offer can be presented in, kept by administrators.

A channel added here (social media, a wearable app, a set-top box) needs no code change and no
migration: campaigns and offers can target it, offers get content in its formats, decisions and
the API serve it, its consent applies and results count it. ``campaigns.channel_registry`` is
the one place code asks about channels; the nine channels the portal started with keep their
codes (``campaigns.choices.ChannelKind``) for what is specific to them (sites, call lists, the
USSD gateway).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import Consent
from ..fields import FormatsField

channel_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,19}$",
    _("Use 2–20 small letters, digits or “_”, starting with a letter (e.g. social_media)."),
)


class Channel(models.Model):
    """One channel: its code (kept in every decision, presentation and result), its name, whether
    an agent presents the offer, the content formats it shows, the consent it needs."""

    code = models.CharField(
        _("code"),
        max_length=20,
        primary_key=True,
        validators=[channel_code_validator],
        help_text=_(
            "Kept in every decision and result: it cannot be changed once the channel is saved."
        ),
    )
    name = models.CharField(_("name"), max_length=60)  # English and Polish (translation.py)
    assisted = models.BooleanField(
        _("assisted"),
        default=False,
        help_text=_(
            "An agent presents the offer (store, calls, field): offers need an agent script. "
            "Otherwise the channel shows the offer's texts in its formats."
        ),
    )
    formats = FormatsField(
        _("content formats"),
        blank=True,
        help_text=_("The offer texts this channel shows; each keeps its length limit."),
    )
    limits = models.JSONField(
        _("tighter limits"),
        default=dict,
        blank=True,
        help_text=_(
            'Optional: a shorter limit for a format in this channel, e.g. {"sms": 120}. '
            "A limit can only be tightened."
        ),
    )
    consent = models.CharField(
        _("consent needed"),
        max_length=30,
        choices=Consent.choices,
        help_text=_("The permission a customer must have given to get offers in this channel."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Only active channels get decisions and can be chosen for new campaigns; an "
            "inactive one stays in results and history."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.name or self.code)

    def clean(self) -> None:
        from ..formats import FORMATS

        errors = {}
        limits = self.limits or {}
        if not isinstance(limits, dict):
            errors["limits"] = _("Give the limits as {format: number of characters}.")
        else:
            for code, limit in limits.items():
                fmt = FORMATS.get(code)
                if fmt is None or code not in (self.formats or []):
                    errors["limits"] = _("%(code)s is not one of this channel's formats.") % {
                        "code": code
                    }
                elif type(limit) is not int or not 1 <= limit <= fmt.gsm_limit:
                    errors["limits"] = _(
                        "The limit of %(format)s must be a whole number from 1 to %(max)d."
                    ) % {"format": fmt.label, "max": fmt.gsm_limit}
        if errors:
            raise ValidationError(errors)
