"""Template context shared by every page: the signed-in user's role and navigation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.choices import OUTBOUND_CHANNEL_KINDS
from channels.models import profile_of

from .roles import Role, primary_role, roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_role": None}
    from .views import workspace_url_name

    held = roles_of(user)
    items = []
    home = workspace_url_name(user)
    if home and home != "admin:index":
        items.append((_("My workspace"), reverse(home)))
    if Role.TEAM_LEAD in held:
        # Store managers and leads also serve customers: their agent screen is one click away.
        profile = profile_of(user)
        if profile is not None:
            if profile.channel_kind in OUTBOUND_CHANNEL_KINDS:
                items.append((_("Outbound calls"), reverse("channels:outbound")))
                items.append((_("Call lists"), reverse("channels:call_lists")))
            else:
                items.append((_("Customer console"), reverse("channels:console")))
        items.append((_("Team bonus"), reverse("channels:bonus_team")))
        items.append((_("Results"), reverse("campaigns:results")))
        items.append((_("Sites"), reverse("channels:site_list")))
    if Role.AGENT in held:
        items.append((_("My training"), reverse("training:my_training")))
        items.append((_("My results"), reverse("campaigns:my_results")))
    if Role.TEAM_LEAD in held or Role.TRAINER in held:
        items.append((_("Training dashboard"), reverse("training:dashboard")))
    if held & {Role.TEAM_LEAD, Role.TRAINER, Role.CVM_MANAGER, Role.ADMINISTRATOR}:
        items.append((_("Sales digest"), reverse("training:digests")))
    if held & {Role.AGENT, Role.TEAM_LEAD} and profile_of(user) is not None:
        items.append((_("My bonus"), reverse("channels:bonus_mine")))
    if held & {Role.CVM_MANAGER, Role.ADMINISTRATOR}:
        if home != "campaigns:manager_home":
            items.append((_("CVM workspace"), reverse("campaigns:manager_home")))
        items.append((_("Nightly loads"), reverse("campaigns:load_list")))
        items.append((_("Results"), reverse("campaigns:results")))
        items.append((_("Feedback"), reverse("campaigns:feedback_inbox")))
        items.append((_("Audit trail"), reverse("campaigns:audit_trail")))
        items.append((_("Call lists"), reverse("channels:call_lists")))
        items.append((_("Bonus plans"), reverse("channels:bonus_plans")))
        items.append((_("Sites"), reverse("channels:site_list")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    seen, unique = set(), []
    for label, url in items:
        if url not in seen:
            seen.add(url)
            unique.append({"label": label, "url": url, "active": False})
    # The longest menu address that the current page lies under is the current one.
    matching = [
        item for item in unique if request.path.startswith(item["url"]) and item["url"] != "/"
    ]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    role = primary_role(user)
    return {"nav_items": unique, "current_role": role.label if role else None}
