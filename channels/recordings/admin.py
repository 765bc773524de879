"""Call recordings (read-only: the telephony system attaches them) and the research queue in
the admin, for CVM managers."""

from django.contrib import admin

from channels.models import Recording, ResearchItem
from cvm_portal.admin import ReadOnlyAdmin
from cvm_portal.masking import mask


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    """Read-only: recordings arrive through the API (POST /api/v1/recordings/)."""

    list_display = [
        "recorded_at",
        "reference",
        "client",
        "campaign",
        "site",
        "outcome",
        "decline_reason",
        "duration_s",
    ]
    list_filter = ["outcome", "client", "campaign"]
    search_fields = ["reference", "customer__external_id"]
    date_hierarchy = "recorded_at"
    list_select_related = ["client", "campaign", "site", "decline_reason"]
    raw_id_fields = ["call_attempt", "decision", "customer"]


@admin.register(ResearchItem)
class ResearchItemAdmin(admin.ModelAdmin):
    """The weekly samples; the queue page (/cvm/research/) is where they are reviewed. Items
    are drawn by the Monday schedule (``draw_research_queue``), never added by hand."""

    list_display = ["week", "campaign", "stratum", "recording", "rating", "reviewed_by"]
    list_filter = ["week", "campaign", "rating"]
    search_fields = ["recording__reference", "stratum", "note"]
    list_select_related = ["campaign", "recording", "reviewed_by"]
    readonly_fields = ["recording", "week", "campaign", "stratum", "reviewed_by", "reviewed_at"]
    fields = [*readonly_fields, "tags", "rating", "note"]
    filter_horizontal = ["tags"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        obj.note = mask(obj.note)  # a finding never stores a phone, PESEL or card number
        super().save_model(request, obj, form, change)
