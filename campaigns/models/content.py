"""What an offer says in each channel kind: the agent script and the texts of every digital
format, with their limits (``campaigns.formats``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import channel_registry
from ..banners import banner_upload_to, validate_banner_image
from ..channel_registry import channel_choices
from ..choices import ChannelKind
from ..formats import FormatLimit, measure
from ..textrules import validate_short_text
from .core import Offer


class OfferContent(models.Model):
    """What an offer says in one channel kind: the agent script, USSD and SMS texts, an app push,
    a banner (title, image, alt text, link), an IVR prompt."""

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="contents", verbose_name=_("offer")
    )
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=channel_choices)
    agent_script = models.TextField(
        _("agent script"),
        blank=True,
        help_text=_("What an agent says. Keep it short: it is read during a live contact."),
    )
    short_text = models.CharField(
        _("short text"),
        max_length=182,
        blank=True,
        validators=[validate_short_text],
        help_text=_("For USSD/SMS: 182 GSM characters, or 80 if it has any other character."),
    )
    banner_title = models.CharField(
        _("banner title"), max_length=60, blank=True, help_text=_("For web and app banners.")
    )
    # The digital formats (campaigns.formats holds their limits; the validators say how far over).
    sms_text = models.TextField(
        _("SMS text"),
        blank=True,
        validators=[FormatLimit("sms")],
        help_text=_("One SMS: 160 GSM characters, or 70 if it has any other character."),
    )
    push_title = models.TextField(
        _("app push title"),
        blank=True,
        validators=[FormatLimit("push_title")],
        help_text=_("At most 50 characters: phones cut longer titles."),
    )
    push_body = models.TextField(
        _("app push text"),
        blank=True,
        validators=[FormatLimit("push_body")],
        help_text=_("At most 150 characters."),
    )
    banner_image = models.FileField(
        _("banner image"),
        upload_to=banner_upload_to,
        blank=True,
        validators=[validate_banner_image],
        help_text=_("PNG, JPEG or WebP, at most 500 KB."),
    )
    banner_alt = models.TextField(
        _("banner image description"),
        blank=True,
        validators=[FormatLimit("banner_alt")],
        help_text=_("What the image shows, for screen readers (at most 150 characters)."),
    )
    banner_link = models.URLField(
        _("banner link"),
        max_length=500,
        blank=True,
        validators=[
            URLValidator(
                schemes=["https"],
                message=_("Use an https:// address: the app opens no other links."),
                code="https_only",  # a code of its own: forms replace "invalid" with theirs
            )
        ],
        help_text=_("Where a tap on the banner leads (https only)."),
    )
    ivr_prompt = models.TextField(
        _("IVR prompt"),
        blank=True,
        validators=[FormatLimit("ivr_prompt")],
        help_text=_("What the voice menu says, as plain text (at most 400 characters)."),
    )
    history = HistoricalRecords()  # before/after of every text change

    class Meta:
        verbose_name = _("offer content")
        verbose_name_plural = _("offer content")
        ordering = ["offer", "channel_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "channel_kind"], name="offer_content_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.code} / {self.get_channel_kind_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.offer_id
            and self.channel_kind
            and self.channel_kind not in self.offer.channel_kinds
        ):
            errors["channel_kind"] = _(
                "This offer is not allowed in %(kind)s. Tick %(kind)s under the offer's allowed "
                "channel kinds, or remove this content."
            ) % {"kind": self.get_channel_kind_display()}
        if channel_registry.is_assisted(self.channel_kind) and not self.agent_script.strip():
            errors["agent_script"] = _("Agents in %(kind)s need a script.") % {
                "kind": self.get_channel_kind_display()
            }
        if self.channel_kind == ChannelKind.USSD and not self.short_text.strip():
            errors["short_text"] = _("USSD needs a short text.")
        for format_code in channel_registry.formats_for(self.channel_kind):
            limit = channel_registry.limit_for(self.channel_kind, format_code)
            name = channel_registry.FORMAT_FIELDS[format_code][-1]
            if name == "banner_link":
                name = "banner_alt"
            text = getattr(self, name, "") or ""
            if limit is not None and text and measure(format_code, text).used > limit:
                errors.setdefault(
                    name,
                    _("Too long for %(kind)s: %(used)d of %(limit)d characters.")
                    % {
                        "kind": self.get_channel_kind_display(),
                        "used": measure(format_code, text).used,
                        "limit": limit,
                    },
                )
        if self.banner_image and not self.banner_alt.strip():
            errors["banner_alt"] = _(
                "Describe the banner image for customers who use a screen reader."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def script_reading_seconds(self) -> int:
        """Rough time to read the script aloud (about 150 words a minute)."""
        return round(len(self.agent_script.split()) / 150 * 60)
