from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from cvm_portal.admin import ReadOnlyAdmin

from .agents import sync_agent_roles
from .api import admin as api_admin  # noqa: F401  (API clients and keys register their own admin)
from .bonus import admin as bonus_admin  # noqa: F401  (bonus plans register their own admin)
from .capacity import admin as capacity_admin  # noqa: F401  (capacity plans, forecasts)
from .handover import admin as handover_admin  # noqa: F401  (chatbot hand-overs, read-only)
from .models import (
    AgentProfile,
    CallAttempt,
    CallList,
    Lead,
    OutboundSettings,
    OutboundShare,
    Site,
)
from .recordings import admin as recordings_admin  # noqa: F401  (recordings, research queue)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "region",
        "timezone",
        "calls_from",
        "calls_until",
        "is_active",
    ]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["code", "name", "region"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "site", "channel_kind", "is_team_lead"]
    list_filter = ["channel_kind", "is_team_lead", "site__kind", "site"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "site__name"]
    list_select_related = ["user", "site"]
    autocomplete_fields = ["user", "site"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_agent_roles(obj)

    @admin.display(description=AgentProfile._meta.get_field("user").verbose_name)
    def full_name(self, obj: AgentProfile) -> str:
        return obj.user.get_full_name()


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = False
    fk_name = "user"
    extra = 0
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """The stock user admin, with the agent profile (site, channel kind) on the same page."""

    inlines = [AgentProfileInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = AgentProfile.objects.filter(user=form.instance).first()
        if profile is not None:
            sync_agent_roles(profile)

    list_display = ["username", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active", "agent_profile__site"]


@admin.register(OutboundSettings)
class OutboundSettingsAdmin(admin.ModelAdmin):
    """Retry delays and the attempt limit of a campaign's call lists."""

    list_display = ["campaign", "max_attempts", "no_answer_retry_minutes", "busy_retry_minutes"]
    search_fields = ["campaign__code", "campaign__name"]
    autocomplete_fields = ["campaign"]


@admin.register(OutboundShare)
class OutboundShareAdmin(admin.ModelAdmin):
    """Which sites work a campaign's lists, in what share, and what agencies are paid per result."""

    list_display = ["campaign", "site", "share", "rate_per_conversion", "rate_per_reached"]
    list_filter = ["site", "campaign"]
    search_fields = ["campaign__code", "site__code", "site__name"]
    autocomplete_fields = ["campaign", "site"]
    list_select_related = ["campaign", "site"]


@admin.register(CallList)
class CallListAdmin(ReadOnlyAdmin):
    list_display = ["day", "campaign", "site", "size", "built_by", "built_at"]
    list_filter = ["day", "site", "campaign"]
    list_select_related = ["campaign", "site"]
    date_hierarchy = "day"


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["pk", "call_list", "state", "attempts", "disposition", "due_at", "skip_code"]
    list_filter = ["state", "disposition", "is_callback", "call_list__day"]
    raw_id_fields = ["call_list", "customer", "offer", "callback_agent", "assigned_to", "decision"]
    list_select_related = ["call_list"]
    show_full_result_count = False  # lists hold millions of leads


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "lead", "agent", "site", "disposition", "callback_at"]
    list_filter = ["disposition", "site"]
    raw_id_fields = ["lead", "agent"]
    list_select_related = ["agent", "site"]
    show_full_result_count = False
