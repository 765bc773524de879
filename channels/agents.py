"""Agents: keeping their role groups in step with their profile, and answering training's
questions about who works where."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from cvm_portal.roles import Role, assign_role
from training.sites import Directory, Post

from .models import AgentProfile, Site, profile_of


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


class TrainingDirectory(Directory):
    """Sites and agent profiles as training sees them (registered by ``ChannelsConfig.ready``)."""

    def post_of(self, user) -> Post | None:
        profile = profile_of(user)
        if profile is None:
            return None
        return Post(profile.site_id, profile.channel_kind, profile.is_team_lead)

    def people(
        self, *, channel_kinds: Iterable[str] = (), site_ids: Iterable[int] = ()
    ) -> dict[int, Post]:
        profiles = AgentProfile.objects.filter(user__is_active=True)
        if channel_kinds:
            profiles = profiles.filter(channel_kind__in=list(channel_kinds))
        if site_ids:
            profiles = profiles.filter(site_id__in=list(site_ids))
        return {
            user_id: Post(site_id, kind, lead)
            for user_id, site_id, kind, lead in profiles.values_list(
                "user_id", "site_id", "channel_kind", "is_team_lead"
            )
        }

    def channel_kinds(self, user_ids: Iterable[int]) -> dict[int, str]:
        ids = list(user_ids)
        # Past a few thousand ids, reading every profile is cheaper than a long IN list (and
        # stays under SQLite's limit of bound parameters); callers look up the ids they asked.
        profiles = (
            AgentProfile.objects.all()
            if len(ids) > 5000
            else AgentProfile.objects.filter(user_id__in=ids)
        )
        return dict(profiles.values_list("user_id", "channel_kind"))

    def site_names(self, *, active_only: bool = False) -> dict[int, str]:
        sites = Site.objects.filter(is_active=True) if active_only else Site.objects.all()
        return dict(sites.values_list("pk", "name"))
