"""Keeping an agent's role groups in step with their profile: the one place that does it."""

from django.contrib.auth.models import Group
from django.db import transaction

from cvm_portal.roles import Role, assign_role

from .models import AgentProfile


@transaction.atomic
def sync_agent_roles(profile: AgentProfile) -> None:
    """Give the profile's user the agent role, and the team-lead role exactly when the profile says so."""
    user = profile.user
    assign_role(user, Role.AGENT)
    if profile.is_team_lead:
        assign_role(user, Role.TEAM_LEAD)
    else:
        user.groups.remove(Group.objects.get(name=Role.TEAM_LEAD.value))
        user.__dict__.pop("_cvm_roles", None)
