"""The channel a team lead updates on the CVM roadmap board: their own channel kind."""

from __future__ import annotations

from cvm_portal.roles import Role, roles_of

from .models import profile_of


def team_lead_channels(user) -> list[str]:
    """[the channel kind the team lead's team works in], or [] for anyone else."""
    if Role.TEAM_LEAD not in roles_of(user):
        return []
    profile = profile_of(user)
    if profile is None or not profile.is_team_lead:
        return []
    return [profile.channel_kind]
