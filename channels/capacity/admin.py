"""Admin of capacity plans (with their handle times and rosters), digital channel capacities
and campaign forecasts: where CVM managers set what the capacity calendar compares."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from channels.models import (
    CampaignForecast,
    CapacityPlan,
    DigitalCapacity,
    ForecastSource,
    HandleTime,
    RosterEntry,
)

from .measuring import MIN_SAMPLE, refresh_measured_handle_times


class HandleTimeInline(admin.TabularInline):
    model = HandleTime
    extra = 0
    fields = ["contact_type", "seconds", "source", "sample_size", "measured_at"]
    readonly_fields = ["sample_size", "measured_at"]


class RosterInline(admin.TabularInline):
    model = RosterEntry
    extra = 0
    fields = ["weekday", "day", "hour_band", "agents"]


@admin.register(CapacityPlan)
class CapacityPlanAdmin(admin.ModelAdmin):
    list_display = [
        "site",
        "channel_kind",
        "service_level_pct",
        "service_level_seconds",
        "occupancy_target_pct",
        "max_occupancy_pct",
        "baseline_contacts_per_day",
    ]
    list_filter = ["channel_kind", "site"]
    list_select_related = ["site"]
    inlines = [HandleTimeInline, RosterInline]
    actions = ["measure_handle_times"]

    @admin.action(description=_("Measure handle times from the last 4 weeks of call attempts"))
    def measure_handle_times(self, request, queryset):
        written = sum(len(refresh_measured_handle_times(plan=plan)) for plan in queryset)
        if written:
            self.message_user(
                request,
                ngettext("%(n)d handle time measured.", "%(n)d handle times measured.", written)
                % {"n": written},
            )
        else:
            self.message_user(
                request,
                _(
                    "Nothing measured: fewer than %(n)d call attempts, or the times are "
                    "configured (a configured time is never replaced)."
                )
                % {"n": MIN_SAMPLE},
                messages.WARNING,
            )


@admin.register(DigitalCapacity)
class DigitalCapacityAdmin(admin.ModelAdmin):
    list_display = ["channel_kind", "requests_per_second", "baseline_peak_rps"]


@admin.register(CampaignForecast)
class CampaignForecastAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "channel_kind",
        "contact_rate_pct",
        "contacts_per_day",
        "source",
        "basis",
        "updated_at",
    ]
    list_filter = ["channel_kind", "source"]
    list_select_related = ["campaign"]
    search_fields = ["campaign__code", "campaign__name"]
    raw_id_fields = ["campaign"]
    readonly_fields = ["source", "basis", "updated_at"]

    def save_model(self, request, obj, form, change):
        # Whatever a manager saves is their word, not the learnt rate any more.
        if form.changed_data:
            obj.source = ForecastSource.EDITED
        super().save_model(request, obj, form, change)
