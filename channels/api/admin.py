"""Admin of API clients and their keys: administrators only. A key is shown once, on the page
that answers its issue (never in a message, a cookie or the session), and then never again."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey

from campaigns.models import DegradedDecisions
from channels.models import ApiClient, ApiKey
from cvm_portal.admin import ReadOnlyAdmin
from cvm_portal.roles import Role, roles_of

from .clients import create_client, revoke_keys, rotate_key

# The library's own key model has no client and no channel kinds: keys are issued here only.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class AdministratorsOnly:
    """Keys are credentials: only administrators see or issue them, whatever model
    permissions a group (CVM managers, say) may be given."""

    def _administrator(self, request) -> bool:
        return Role.ADMINISTRATOR in roles_of(request.user)

    def has_module_permission(self, request) -> bool:
        return self._administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._administrator(request)

    def has_add_permission(self, request, *args) -> bool:
        return self._administrator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._administrator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._administrator(request)


class ApiKeyInline(AdministratorsOnly, admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "prefix",
        "name",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
    ]
    ordering = ["-created"]

    def has_add_permission(self, request, *args) -> bool:
        return False  # keys are issued by creating the client or by rotating its key

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _keys_page(request, *, title: str, issued: list[tuple[ApiClient, ApiKey, str]], grace=None):
    return TemplateResponse(
        request,
        "admin/channels/api_keys_issued.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "issued": [{"client": c, "row": row, "key": key} for c, row, key in issued],
            "grace_ends": grace,
            "opts": ApiClient._meta,
        },
    )


@admin.register(ApiClient)
class ApiClientAdmin(AdministratorsOnly, admin.ModelAdmin):
    """A digital channel's back-end: its channel kinds and its keys. Creating one issues its
    first key; "Rotate" issues a new one and ends the old ones after a grace period."""

    list_display = ["name", "kinds", "attaches_recordings", "user", "working_keys", "created_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "created_at"]
    inlines = [ApiKeyInline]
    actions = ["rotate", "revoke"]

    def get_fields(self, request, obj=None):
        fields = ["name", "channel_kinds", "attaches_recordings"]
        return fields + (["user", "created_at"] if obj else [])

    @admin.display(description=_("channel kinds"))
    def kinds(self, obj: ApiClient) -> str:
        return ", ".join(obj.channel_kinds)

    def get_queryset(self, request):
        working = Q(keys__revoked=False, keys__expiry_date__gt=timezone.now())
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(working_keys=Count("keys", filter=working))
        )

    @admin.display(description=_("working keys"), ordering="working_keys")
    def working_keys(self, obj: ApiClient) -> int:
        return obj.working_keys

    def save_model(self, request, obj: ApiClient, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        row, key = create_client(client=obj)
        request._cvm_issued_key = (obj, row, key)  # shown by response_add, kept nowhere else

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "_cvm_issued_key", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        return _keys_page(request, title=_("API client created: its key"), issued=[issued])

    @admin.action(description=_("Rotate the key (the old ones keep working for a grace period)"))
    def rotate(self, request, queryset):
        now = timezone.now()
        issued = []
        for client in queryset:
            row, key = rotate_key(client=client, now=now)
            self.log_change(
                request, client, gettext("Rotated: new key %(prefix)s.") % {"prefix": row.prefix}
            )
            issued.append((client, row, key))
        grace = now + timedelta(hours=settings.CVM_API_KEY_GRACE_HOURS)
        return _keys_page(request, title=_("New API keys"), issued=issued, grace=grace)

    @admin.action(description=_("Revoke every key of the selected clients, now and for good"))
    def revoke(self, request, queryset):
        for client in queryset:
            self.log_change(request, client, gettext("Revoked all its keys."))
        count = revoke_keys(keys=ApiKey.objects.filter(client__in=queryset))
        self.message_user(
            request,
            ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count},
            messages.WARNING,
        )


@admin.register(ApiKey)
class ApiKeyAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Every key of every client: prefix (the part before the dot), expiry, revoked. Read-only;
    revoke a single leaked key here."""

    list_display = ["prefix", "client", "name", "created", "expiry_date", "_has_expired", "revoked"]
    list_filter = ["revoked", "client"]
    search_fields = ["prefix", "client__name"]
    list_select_related = ["client"]
    fields = readonly_fields = ["prefix", "client", "name", "created", "expiry_date", "revoked"]
    actions = ["revoke"]

    def has_add_permission(self, request, *args) -> bool:
        return False  # a key comes with its client (admin → API clients)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # revoke instead: revoked keys stay listed
        return actions

    @admin.action(description=_("Revoke the selected keys, now and for good"))
    def revoke(self, request, queryset):
        for key in queryset:
            self.log_change(request, key, gettext("Revoked."))
        count = revoke_keys(keys=queryset)
        self.message_user(
            request,
            ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count},
            messages.WARNING,
        )


@admin.register(DegradedDecisions)
class DegradedDecisionsAdmin(ReadOnlyAdmin):
    """Who may use it: CVM managers and administrators, read-only. How many API decisions per
    day and channel kind ran out of their time budget and came back ``degraded``."""

    list_display = ["day", "channel_kind", "count"]
    list_filter = ["channel_kind"]
    date_hierarchy = "day"
