"""Sites where channels work and the agents who work there."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns import channel_registry
from campaigns.choices import OUTBOUND_CHANNEL_KINDS, ChannelKind
from campaigns.models import code_validator
from channels.choices import SiteKind
from cvm_portal import formatting as fmt
from cvm_portal.roles import Role, roles_of

ASSISTED_KINDS = [k.value for k in ChannelKind.assisted()]


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone. Use a name like Europe/Warsaw."),
            code="invalid_timezone",
            params={"value": value},
        )


def profile_of(user) -> AgentProfile | None:
    """The agent profile of ``user``, or None (anonymous, or no agent: a manager, a trainer).

    The one way to ask: Django caches the profile on the user after the first ask."""
    return getattr(user, "agent_profile", None)


class SiteQuerySet(models.QuerySet):
    def visible_to(self, user) -> SiteQuerySet:
        """The one place that decides which sites a user may see."""
        held = roles_of(user)
        if held & {Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TRAINER}:
            return self.all()
        profile = profile_of(user)
        if profile is None or not held & {Role.AGENT, Role.TEAM_LEAD}:
            return self.none()
        return self.filter(pk=profile.site_id)


class Site(models.Model):
    """A store, a call centre or an outsourced agency: where agents work, in its own time zone."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    region = models.CharField(_("region"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Warsaw", validators=[validate_timezone]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    calls_from = models.TimeField(
        _("calls from"),
        default=time(9),
        help_text=_("Outbound calls start at this local time (in the site's time zone)."),
    )
    calls_until = models.TimeField(
        _("calls until"),
        default=time(20),
        help_text=_("…and end at this local time."),
    )
    bonus_leaderboard = models.BooleanField(
        _("bonus leaderboard"),
        default=True,
        help_text=_("Show the team a bonus leaderboard; untick to show each agent only their own."),
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SiteKind.values), name="site_kind_valid"),
            models.CheckConstraint(
                condition=Q(calls_until__gt=models.F("calls_from")),
                name="site_calls_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.calls_from and self.calls_until and self.calls_until <= self.calls_from:
            raise ValidationError(
                {
                    "calls_until": _("Calls must end after they start (%(start)s).")
                    % {"start": fmt.time(self.calls_from)}
                }
            )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# The channel kinds an agent may work in at each kind of site.
KINDS_AT_SITE: dict[str, set[str]] = {
    SiteKind.STORE: {ChannelKind.STORE},
    SiteKind.INBOUND_CENTRE: {ChannelKind.INBOUND_CALL},
    SiteKind.OUTBOUND_CENTRE: set(OUTBOUND_CHANNEL_KINDS),
    SiteKind.AGENCY: set(OUTBOUND_CHANNEL_KINDS),
}


class AgentProfile(models.Model):
    """Ties a user to the site they work at and the channel kind they work in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_profile",
        verbose_name=_("user"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="agents", verbose_name=_("site")
    )
    channel_kind = models.CharField(
        _("channel kind"),
        max_length=20,
        choices=[(k.value, k.label) for k in ChannelKind.assisted()],
    )
    is_team_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        ordering = ["site", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel_kind__in=ASSISTED_KINDS), name="agent_channel_kind_assisted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} @ {self.site}"

    def clean(self) -> None:
        if self.site_id and self.channel_kind:
            allowed = KINDS_AT_SITE[self.site.kind]
            if self.channel_kind not in allowed:
                raise ValidationError(
                    {
                        "channel_kind": _("A %(site_kind)s works in %(allowed)s, not %(kind)s.")
                        % {
                            "site_kind": self.site.get_kind_display().lower(),
                            "allowed": ", ".join(
                                channel_registry.label(k) for k in sorted(allowed)
                            ),
                            "kind": channel_registry.label(self.channel_kind),
                        }
                    }
                )
