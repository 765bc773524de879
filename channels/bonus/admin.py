"""Admin of bonus plans (with their rules and tiers), cancellations and statements (read-only)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from channels.bonus.periods import month_bounds, overlapping_plans, today
from channels.models.bonus import (
    BonusLine,
    BonusPlan,
    BonusRule,
    BonusStatement,
    BonusTier,
    Cancellation,
)
from cvm_portal.admin import ReadOnlyAdmin

# --- Bonus plans -----------------------------------------------------------------------------


class BonusPlanForm(forms.ModelForm):
    class Meta:
        model = BonusPlan
        fields = [
            "name",
            "channel_kind",
            "sites",
            "starts_on",
            "ends_on",
            "unit",
            "point_value",
            "target",
            "cap",
            "clawback_days",
            "min_presentation_share",
            "requires_training",
        ]

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on >= starts_on:
            clashes = list(
                overlapping_plans(
                    channel_kind=data.get("channel_kind", ""),
                    site_ids=[s.pk for s in data.get("sites") or []],
                    starts_on=starts_on,
                    ends_on=ends_on,
                    exclude_pk=self.instance.pk,
                )[:3]
            )
            if clashes:
                raise ValidationError(
                    _(
                        "These agents would be paid by two plans at once: this plan overlaps "
                        "%(plans)s for the same channel kind and sites. Change the period, the "
                        "channel kind or the sites."
                    )
                    % {"plans": "; ".join(f"“{p}”" for p in clashes)}
                )
        return data


class ClosedPlanReadOnly:
    """A closed period's plan, rules and tiers are frozen with its statements."""

    def has_change_permission(self, request, obj=None):
        plan = obj if isinstance(obj, BonusPlan) else getattr(obj, "plan", None)
        if plan is not None and plan.is_closed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        plan = obj if isinstance(obj, BonusPlan) else getattr(obj, "plan", None)
        if plan is not None and (plan.is_closed or plan.statements.exists()):
            return False
        return super().has_delete_permission(request, obj)


class BonusRuleInline(ClosedPlanReadOnly, admin.TabularInline):
    model = BonusRule
    extra = 1
    autocomplete_fields = ["campaign", "offer"]

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.is_closed) and super().has_add_permission(request, obj)


class BonusTierInline(ClosedPlanReadOnly, admin.TabularInline):
    model = BonusTier
    extra = 1

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.is_closed) and super().has_add_permission(request, obj)


@admin.register(BonusPlan)
class BonusPlanAdmin(ClosedPlanReadOnly, admin.ModelAdmin):
    """Who is paid what for accepted offers in one period; overlapping plans are refused."""

    form = BonusPlanForm
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        "channel_kind",
        "unit",
        "target",
        "cap",
        "closed_at",
    ]
    list_filter = ["channel_kind", "unit", "starts_on"]
    search_fields = ["name"]
    filter_horizontal = ["sites"]
    inlines = [BonusRuleInline, BonusTierInline]
    readonly_fields = ["closed_at", "closed_by"]

    def get_changeform_initial_data(self, request):

        first, last = month_bounds(today())
        return {"starts_on": first, "ends_on": last, **super().get_changeform_initial_data(request)}


@admin.register(Cancellation)
class CancellationAdmin(admin.ModelAdmin):
    """Conversions cancelled later: taken back within the plan's clawback window."""

    list_display = ["response", "cancelled_at", "reason", "entered_by", "created_at"]
    raw_id_fields = ["response"]
    readonly_fields = ["entered_by"]
    date_hierarchy = "cancelled_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class CancellationForm(forms.ModelForm):
    class Meta:
        model = Cancellation
        fields = ["response", "cancelled_at", "reason"]

    def clean_response(self):
        response = self.cleaned_data["response"]
        if response.outcome != "accepted":
            raise ValidationError(_("That outcome is not a conversion (it was not accepted)."))
        return response


CancellationAdmin.form = CancellationForm


class BonusLineInline(admin.TabularInline):
    model = BonusLine
    extra = 0
    can_delete = False
    fields = ["kind", "at", "description", "amount", "pending", "response", "rule"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BonusStatement)
class BonusStatementAdmin(ReadOnlyAdmin):
    """Computed by the bonus service only; shown here, never edited."""

    list_display = ["plan", "agent", "site", "status", "conversions", "total", "computed_at"]
    list_filter = ["status", "plan", "site"]
    list_select_related = ["plan", "agent", "site"]
    inlines = [BonusLineInline]

    def has_delete_permission(self, request, obj=None):
        return False
