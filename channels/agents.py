"""Creating and changing agents: the one place that keeps profile and role groups in step."""

from django.contrib.auth import get_user_model
from django.db import transaction

from cvm_portal.roles import Role, assign_role

from .models import AgentProfile, Site


@transaction.atomic
def enrol_agent(
    *,
    username: str,
    site: Site,
    channel_kind: str,
    team_lead: bool = False,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> AgentProfile:
    """Create or update a user as an agent (or team lead) of ``site``; safe to call twice."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name = first_name, last_name
    if password is not None:
        user.set_password(password)
    user.save()
    profile, _ = AgentProfile.objects.update_or_create(
        user=user, defaults={"site": site, "channel_kind": channel_kind, "is_team_lead": team_lead}
    )
    profile.full_clean()
    assign_role(user, Role.AGENT)
    if team_lead:
        assign_role(user, Role.TEAM_LEAD)
    return profile
