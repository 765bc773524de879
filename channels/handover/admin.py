"""Chatbot hand-overs in the admin: read-only, for CVM managers (the portal writes them)."""

from django.contrib import admin

from channels.models import Handover
from cvm_portal.admin import ReadOnlyAdmin


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    """Read-only: bots create hand-overs and agents take and close them, in the portal."""

    list_display = [
        "created_at",
        "client",
        "intent",
        "customer",
        "status",
        "outcome",
        "taken_by",
        "taken_at",
        "closed_at",
    ]
    list_filter = ["status", "outcome", "client"]
    search_fields = ["intent", "conversation_id", "customer__external_id"]
    date_hierarchy = "created_at"
    list_select_related = ["client", "customer", "taken_by"]
    exclude = ["phone"]  # the caller's number: on the customer's record when they are one
