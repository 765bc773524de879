"""The admin of the support-routing policy (its versions and rules) and of the service contacts
(read-only: they come from the warehouse's nightly file)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.models import ServiceContact, SupportOption, SupportRoutingPolicy, SupportRoutingRule
from cvm_portal.admin import ReadOnlyAdmin

from . import policy  # noqa: F401 - connects the forgetting of the cached rules
from .channels import channel_choices


class RuleForm(forms.ModelForm):
    options = forms.MultipleChoiceField(
        label=_("Support options"),
        choices=SupportOption.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_channel = forms.ChoiceField(label=_("Customers who prefer"), required=False)

    class Meta:
        model = SupportRoutingRule
        fields = ["segment", "value_tier", "preferred_channel", "options"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_channel"].choices = [("", _("anyone")), *channel_choices()]


class RuleInline(admin.TabularInline):
    model = SupportRoutingRule
    form = RuleForm
    extra = 0


@admin.register(SupportRoutingPolicy)
class SupportRoutingPolicyAdmin(admin.ModelAdmin):
    """Versions of the policy; the active one's rules may be corrected here. A new version is
    saved from the channel optimisation page's what-if."""

    list_display = ["version", "name", "is_active", "activated_at", "retired_at", "created_by"]
    list_filter = ["is_active"]
    readonly_fields = [
        "version", "is_active", "activated_at", "retired_at", "created_by", "created_at", "scenario",
    ]  # fmt: skip
    fields = ["name", "note", *readonly_fields]
    inlines = [RuleInline]

    def has_add_permission(self, request) -> bool:
        return False  # a version is saved from the what-if, which retires the one before


@admin.register(ServiceContact)
class ServiceContactAdmin(ReadOnlyAdmin):
    list_display = [
        "contacted_on", "customer", "channel_kind", "reason", "resolved_first_contact",
        "self_service",
    ]  # fmt: skip
    list_filter = ["channel_kind", "resolved_first_contact", "self_service"]
    date_hierarchy = "contacted_on"
    raw_id_fields = ["customer", "load_run"]
    show_full_result_count = False
