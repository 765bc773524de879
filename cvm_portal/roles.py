"""Roles: who a user is in the portal, what their Django group may do, where they work.

Each role is a Django group of the same name whose permissions are set here
and written by migrations (``sync_role_groups``). When a later change needs a
role to gain a permission, edit ``ROLE_PERMISSIONS`` and add a migration that
calls ``sync_role_groups`` again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.apps import apps as global_apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    CVM_MANAGER = "cvm_manager", _("CVM manager")
    TRAINER = "trainer", _("Trainer")
    ADMINISTRATOR = "administrator", _("Administrator")
    DIGITAL_CHANNEL = "digital_channel", _("Digital channel (API client)")
    # A person on a web, app, chatbot, IVR or USSD team (trained like agents; no site).
    DIGITAL_TEAM = "digital_team", _("Digital team member")


# When a user holds several roles, the first in this order decides their home workspace.
ROLE_PRECEDENCE = [
    Role.ADMINISTRATOR,
    Role.CVM_MANAGER,
    Role.TRAINER,
    Role.TEAM_LEAD,
    Role.AGENT,
    Role.DIGITAL_TEAM,
    Role.DIGITAL_CHANNEL,
]

# Roles whose members use the Django admin (they get is_staff).
STAFF_ROLES = {Role.CVM_MANAGER, Role.ADMINISTRATOR}

_READ_CVM = [
    "campaigns.view_customer",
    "campaigns.view_product",
    "campaigns.view_offer",
    "campaigns.view_offercontent",
    "campaigns.view_campaign",
]


def _crud(app_label: str, *models_: str) -> list[str]:
    return [
        f"{app_label}.{action}_{m}"
        for m in models_
        for action in ("add", "change", "delete", "view")
    ]


ALL_PERMISSIONS = "__all__"

ROLE_PERMISSIONS: dict[str, list[str] | str] = {
    Role.AGENT: [*_READ_CVM, "channels.view_site"],
    Role.TEAM_LEAD: [*_READ_CVM, "channels.view_site", "channels.view_agentprofile"],
    Role.CVM_MANAGER: [
        *_crud("campaigns", "customer", "product", "offer", "offercontent", "campaign"),
        "campaigns.view_targetgroup",
        "campaigns.change_targetgroup",
        "campaigns.view_targetgroupversion",
        "campaigns.view_loadrun",
        "campaigns.view_loadreject",
        "campaigns.view_contactpolicy",
        "campaigns.change_contactpolicy",
        *_crud("campaigns", "declinereason", "eligibilityrule", "intent"),
        *_crud("campaigns", "needtag"),  # the customer-need taxonomy agents tag notes with
        "channels.view_customernote",  # agents' customer-need notes, read-only in the admin
        "campaigns.view_response",
        "campaigns.view_approvalrecord",  # the governance record, read-only
        "campaigns.view_offerfeedback",
        "campaigns.change_offerfeedback",
        "campaigns.view_campaignstop",  # the kill switch's record, read-only in the admin
        "campaigns.view_campaigninquiry",
        "campaigns.view_degradeddecisions",  # API decisions past their time budget, read-only
        "campaigns.view_floodalert",
        "campaigns.view_servicecontact",  # the contacts file's rows, read-only
        "campaigns.view_supportroutingpolicy",
        "campaigns.change_supportroutingpolicy",
        *_crud("campaigns", "supportroutingrule"),
        *_crud("campaigns", "initiative", "roadmapitem"),  # the roadmap board (issue 19)
        "campaigns.view_channel",  # the channel registry: administrators add and change channels
        "campaigns.view_channelcost",
        "campaigns.view_learnedpropensity",  # learned propensities, read-only in the admin
        "campaigns.view_learningrun",
        "channels.view_site",
        "channels.view_agentprofile",
        *_crud("channels", "outboundsettings", "outboundshare"),
        "channels.view_calllist",
        "channels.view_lead",
        "channels.view_callattempt",
        *_crud("channels", "bonusplan", "bonusrule", "bonustier", "cancellation"),
        *_crud(
            "channels",
            "capacityplan",
            "handletime",
            "rosterentry",
            "digitalcapacity",
            "campaignforecast",
        ),
        "channels.view_bonusstatement",
        "channels.view_bonusline",
        "channels.view_handover",  # chatbot hand-overs, read-only in the admin
        "channels.view_recording",  # call recordings, read-only (the telephony system attaches them)
        "channels.view_researchitem",
        "channels.change_researchitem",  # the weekly research queue: tags, rating, finding
        *_crud("django_celery_beat", "periodictask", "crontabschedule", "intervalschedule"),
    ],
    Role.TRAINER: [*_READ_CVM],
    Role.ADMINISTRATOR: ALL_PERMISSIONS,
    # A web shop, app back-end, chatbot or USSD gateway: asks for decisions, reports outcomes.
    Role.DIGITAL_CHANNEL: ["campaigns.view_offer", "campaigns.add_response"],
    # People who build the digital channels' journeys: they read the offers and texts they show.
    Role.DIGITAL_TEAM: ["campaigns.view_offer", "campaigns.view_offercontent"],
}


def sync_role_groups(apps=global_apps) -> None:
    """Create each role's group and set exactly its permissions (idempotent; used by migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        if perms == ALL_PERMISSIONS:
            wanted = list(Permission.objects.all())
        else:
            wanted = []
            for perm in perms:
                app_label, codename = perm.split(".")
                if not _model_exists(apps, app_label, codename):
                    continue  # the model comes in a later migration, which syncs again
                try:
                    wanted.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=codename)
                    )
                except Permission.DoesNotExist as exc:
                    raise LookupError(f"role {role.value}: no permission {perm}") from exc
        group.permissions.set(wanted)


def _model_exists(apps, app_label: str, codename: str) -> bool:
    """Whether the model a default permission (add_/change_/delete_/view_<model>) names exists
    yet in this migration state; other permissions are assumed to."""
    action, _sep, model_name = codename.partition("_")
    if action not in {"add", "change", "delete", "view"} or not model_name:
        return True
    try:
        apps.get_app_config(app_label)
    except LookupError:
        return True  # an unknown app: let the permission look-up report it
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[Role]:
    """The roles a user holds (superusers are administrators)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_cvm_roles", None)
    if cached is not None:
        return cached  # one query per request, however many checks and menus ask
    names = {g.name for g in user.groups.all()}
    roles = {Role(n) for n in names if n in Role.values}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    user._cvm_roles = roles
    return roles


def primary_role(user) -> Role | None:
    held = roles_of(user)
    return next((r for r in ROLE_PRECEDENCE if r in held), None)


def role_required(*allowed: Role) -> Callable:
    """View decorator: only users holding one of ``allowed`` get in; others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not roles_of(request.user) & set(allowed):
                raise PermissionDenied(_("This page is for another role."))
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator


def assign_role(user, role: Role) -> None:
    """Put ``user`` in ``role``'s group; staff roles get access to the admin."""
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("_cvm_roles", None)
    changed = []
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        changed.append("is_staff")
    if role == Role.ADMINISTRATOR and not user.is_superuser:
        # The group's permissions are a snapshot; superuser status also covers models added later.
        user.is_superuser = True
        changed.append("is_superuser")
    if changed:
        user.save(update_fields=changed)
