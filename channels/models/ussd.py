"""USSD sessions: which decision a caller's session at the USSD gateway shows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Decision


class UssdSession(models.Model):
    """One caller's USSD session (the gateway's ``sessionId``) and the decision its menu shows.

    The unique session id makes a session's first screen decide once, even when the gateway
    sends it twice at the same moment; the row also rebuilds the session when the cache has
    lost it (``channels.ussd.sessions``). The live copy of a session is in the cache."""

    session_id = models.CharField(_("session id"), max_length=100, unique=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="+", verbose_name=_("decision")
    )
    language = models.CharField(_("language"), max_length=8)
    started_at = models.DateTimeField(_("started"), db_index=True)  # old sessions are pruned by it

    class Meta:
        verbose_name = _("USSD session")
        verbose_name_plural = _("USSD sessions")

    def __str__(self) -> str:
        return self.session_id
