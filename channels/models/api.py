"""API clients of the digital channels and their keys: hashed, shown once, always expiring."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from campaigns import channel_registry
from campaigns.choices import ChannelKind
from campaigns.fields import ChannelKindsField

# Kinds with an agent are worked in the console, never through the API. The built-in digital
# kinds (capacity planning and digital teams know these); the registry may add more
# (``channel_registry.digital_codes()``), which API clients may ask for as well.
DIGITAL_KINDS = [k.value for k in ChannelKind if k not in ChannelKind.assisted()]


class ApiClient(models.Model):
    """A digital channel's back-end (web shop, app, chatbot, USSD gateway, IVR): the channel
    kinds it may ask decisions for, and the service account its decisions, outcomes and
    look-ups are recorded under (made for it; nobody signs in with it)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel_kinds = ChannelKindsField(
        _("channel kinds"),
        blank=True,  # a telephony system only attaches recordings: it asks for no decisions
        help_text=_("The channel kinds this client may ask decisions for (digital kinds only)."),
    )
    # A telephony system attaches call recordings to outbound attempts and inbound contacts
    # (``POST /api/v1/recordings/``); a digital channel's back-end may not.
    attaches_recordings = models.BooleanField(
        _("telephony system: may attach recordings"),
        default=False,
        help_text=_(
            "Tick for the call centre's telephony system: it may attach call recordings to "
            "outbound attempts and inbound contacts through the API."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # deleting the service account deletes the client
        related_name="api_client",
        editable=False,
        verbose_name=_("service account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.channel_kinds and not self.attaches_recordings:
            raise ValidationError(
                {
                    "channel_kinds": _(
                        "Choose the channel kinds this client asks decisions for, or make it a "
                        "telephony system that attaches recordings."
                    )
                }
            )
        assisted = [k for k in self.channel_kinds or [] if channel_registry.is_assisted(k)]
        if assisted:
            raise ValidationError(
                {
                    "channel_kinds": _(
                        "%(kinds)s: agents work these kinds in the console, not through the API."
                    )
                    % {"kinds": ", ".join(channel_registry.label(k) for k in assisted)}
                }
            )


class ApiKeyManager(APIKeyManager):
    def get_usable_keys(self) -> models.QuerySet:
        # One query authenticates a call: the key, its client and the client's service account.
        return super().get_usable_keys().select_related("client__user")


class ApiKey(AbstractAPIKey):
    """One key of an API client. Only its prefix and a SHA-512 hash are stored: the key itself
    is shown once, when it is issued. Every key expires; a revoked key never works again."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="keys", verbose_name=_("API client")
    )
    # Required here (the library allows keys that never expire).
    expiry_date = models.DateTimeField(
        _("expires"), help_text=_("After this moment the key no longer works.")
    )

    objects = ApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
