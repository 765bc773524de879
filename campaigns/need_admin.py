"""The admin of the customer-need taxonomy: the needs agents tick on a note ("wants a cheaper
plan", "coverage problem"…), kept by CVM managers in English and Polish side by side."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from cvm_portal.translated import side_by_side

from .models import NeedTag
from .translation import NEED_FIELDS


@admin.register(NeedTag)
class NeedTagAdmin(TranslationAdmin):
    """Add, rename, reorder or retire a need. A retired need (not active) leaves the agents'
    choice but stays on the notes and research items already tagged with it; delete only one
    that was never used."""

    list_display = ["label", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["label_en", "label_pl", "code", "description"]
    actions = ["retire", "bring_back"]
    fieldsets = side_by_side(
        [(None, {"fields": ["code", "label", "description", "position", "is_active"]})],
        NEED_FIELDS,
    )

    @admin.action(description=_("Retire the selected needs (agents no longer see them)"))
    def retire(self, _request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Bring the selected needs back for agents"))
    def bring_back(self, _request, queryset):
        queryset.update(is_active=True)
