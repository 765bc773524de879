"""The kill switch in the admin: "Stop now (kill switch)" on campaigns, offers and products
(a page asks for the reason first), and the stops, inquiries and flood alerts, read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import (
    Campaign,
    CampaignInquiry,
    CampaignStop,
    FloodAlert,
    Offer,
    Product,
    StopScope,
)
from cvm_portal.admin import ReadOnlyAdmin
from cvm_portal.roles import Role, roles_of

from .kill_switch import REASON_MAX, live_campaigns_of, stop

SCOPE_OF = {Campaign: StopScope.CAMPAIGN, Offer: StopScope.OFFER, Product: StopScope.PRODUCT}
MAY_STOP = {Role.CVM_MANAGER, Role.ADMINISTRATOR}


@admin.action(description=gettext_lazy("Stop now (kill switch)"))
def stop_now(modeladmin, request, queryset):
    """Who may use it: CVM managers and administrators. Asks for the reason, then stops every
    live campaign the chosen rows name, in every channel at once."""
    if not roles_of(request.user) & MAY_STOP:
        raise PermissionDenied
    scope = SCOPE_OF[queryset.model]
    targets = list(queryset.order_by("pk"))
    reason = (request.POST.get("reason") or "").strip()
    error = ""
    if request.POST.get("confirm"):
        stopped, nothing = [], []
        for target in targets:
            try:
                record = stop(scope=scope, target=target, reason=reason, by=request.user)
            except ValidationError as exc:
                if not reason or len(reason) > REASON_MAX:
                    error = exc.messages[0]
                    break
                nothing.append(str(target))
            else:
                stopped.extend(c.code for c in record.campaigns.all())
        if not error:
            if stopped:
                messages.success(
                    request,
                    _("Stopped in every channel: %(codes)s.") % {"codes": ", ".join(stopped)},
                )
            if nothing:
                messages.warning(
                    request,
                    _("No live campaign to stop for: %(names)s.") % {"names": ", ".join(nothing)},
                )
            return None
    rows = [(t, live_campaigns_of(scope, t)) for t in targets]
    return TemplateResponse(
        request,
        "campaigns/governance/admin_stop.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": _("Stop now (kill switch)"),
            "rows": rows,
            "reason": reason,
            "error": error,
            "reason_max": REASON_MAX,
            "action": "stop_now",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(CampaignStop)
class CampaignStopAdmin(ReadOnlyAdmin):
    """Read-only: written by the kill switch; undone from the kill-switch page."""

    list_display = ["stopped_at", "scope", "target", "reason", "stopped_by", "resumed_at"]
    list_filter = ["scope"]
    search_fields = ["reason", "campaign__code", "offer__code", "product__code"]
    date_hierarchy = "stopped_at"


@admin.register(CampaignInquiry)
class CampaignInquiryAdmin(ReadOnlyAdmin):
    list_display = ["at", "campaign", "channel_kind", "agent", "site_id"]
    list_filter = ["channel_kind"]
    search_fields = ["campaign__code"]
    date_hierarchy = "at"


@admin.register(FloodAlert)
class FloodAlertAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "campaign", "count", "expected", "basis", "acknowledged_by"]
    list_filter = ["basis"]
    search_fields = ["campaign__code"]
    date_hierarchy = "raised_at"
