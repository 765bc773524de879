"""Digital teams: the people who work on web, app, chatbot, IVR and USSD, trained like agents.

A digital team member has a ``DigitalTeamProfile`` naming the digital channel kinds they work on
and the digital team role; these functions keep the two in step. An API client's service
account (the digital channel role) is never made a member: it is not a person to train.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns import channel_registry
from cvm_portal.roles import Role, assign_role, roles_of

from .models import DIGITAL_KINDS, DigitalTeamProfile


def check_member(*, user, channel_kinds: Iterable[str]) -> list[str]:
    """The kinds, checked: at least one, digital only, and a person rather than an API client."""
    kinds = list(dict.fromkeys(channel_kinds))
    if not kinds:
        raise ValidationError(
            {"channel_kinds": _("Tick at least one digital channel this person works on.")},
            code="no_kinds",
        )
    assisted = [k for k in kinds if k not in DIGITAL_KINDS]
    if assisted:
        raise ValidationError(
            {
                "channel_kinds": _(
                    "%(kinds)s have agents: people there get an agent profile at their site. "
                    "A digital team works on %(digital)s."
                )
                % {
                    "kinds": ", ".join(channel_registry.label(k) for k in assisted),
                    "digital": ", ".join(channel_registry.label(k) for k in DIGITAL_KINDS),
                }
            },
            code="assisted_kind",
        )
    if Role.DIGITAL_CHANNEL in roles_of(user):
        raise ValidationError(
            {"user": _("This account is an API client's, not a person's: it gets no training.")},
            code="api_client",
        )
    return kinds


@transaction.atomic
def set_digital_team(*, user, channel_kinds: Iterable[str]) -> DigitalTeamProfile:
    """Make ``user`` a digital team member working on these kinds (profile and role together)."""
    kinds = check_member(user=user, channel_kinds=channel_kinds)
    profile, _created = DigitalTeamProfile.objects.update_or_create(
        user=user, defaults={"channel_kinds": kinds}
    )
    assign_role(user, Role.DIGITAL_TEAM)
    return profile


@transaction.atomic
def leave_digital_team(*, user) -> None:
    """``user`` no longer works on a digital team: profile and role go (their records stay)."""
    DigitalTeamProfile.objects.filter(user=user).delete()
    user.groups.remove(Group.objects.get(name=Role.DIGITAL_TEAM.value))
    user.__dict__.pop("_cvm_roles", None)


def kinds_of(user) -> list[str]:
    """The digital kinds ``user`` works on ([] unless they hold the role: no query for agents)."""
    if Role.DIGITAL_TEAM not in roles_of(user):
        return []
    profile = DigitalTeamProfile.objects.filter(user=user).values_list("channel_kinds", flat=True)
    return list(profile.first() or [])


def members(*, channel_kinds: Iterable[str] = ()) -> dict[int, list[str]]:
    """{user id: kinds} of the active digital team members, limited to these kinds when given."""
    wanted = set(channel_kinds)
    rows = DigitalTeamProfile.objects.filter(
        user__is_active=True, user__groups__name=Role.DIGITAL_TEAM.value
    ).exclude(user__groups__name=Role.DIGITAL_CHANNEL.value)
    return {
        user_id: kinds
        for user_id, kinds in rows.values_list("user_id", "channel_kinds")
        if not wanted or wanted & set(kinds)
    }


def kinds_label(kinds: Iterable[str]) -> str:
    """The kinds as people read them: "Web, App"."""
    return ", ".join(channel_registry.label(k) for k in kinds)
