"""Initiatives and their channel items in the admin (CVM managers and administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..governance.revision_admin import HistoryAdmin
from ..models import Initiative, RoadmapItem
from .kinds import channels, label


class RoadmapItemForm(forms.ModelForm):
    class Meta:
        model = RoadmapItem
        fields = ["initiative", "channel_kind", "work", "status", "target_date", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered from the one list of channels (a registry later); the code is kept as text.
        self.fields["channel_kind"] = forms.ChoiceField(
            label=_("Channel"), choices=[("", "---------"), *channels()]
        )

    def save(self, commit=True):
        self.instance.updated_by = getattr(self, "_by", None) or self.instance.updated_by
        return super().save(commit)


class RoadmapItemInline(admin.TabularInline):
    model = RoadmapItem
    form = RoadmapItemForm
    fields = ["channel_kind", "work", "status", "target_date", "notes"]
    extra = 1


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "starts_on", "ends_on"]
    search_fields = ["name", "goal", "campaigns__code"]
    autocomplete_fields = ["campaigns"]
    inlines = [RoadmapItemInline]

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form._by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(RoadmapItem)
class RoadmapItemAdmin(HistoryAdmin):
    form = RoadmapItemForm
    list_display = ["initiative", "channel", "status", "target_date", "updated_by", "updated_at"]
    list_filter = ["status", "channel_kind", "initiative"]
    search_fields = ["initiative__name", "work", "notes"]
    list_select_related = ["initiative", "updated_by"]

    @admin.display(description=_("channel"), ordering="channel_kind")
    def channel(self, obj: RoadmapItem) -> str:
        return label(obj.channel_kind)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
