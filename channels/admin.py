from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .agents import sync_agent_roles
from .models import AgentProfile, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "timezone", "is_active"]
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
