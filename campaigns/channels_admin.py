"""The admin of the channel registry: add a channel (social media, a wearable app, a set-top
box…) or change what one shows, the consent it needs and its cost per contact. Campaigns,
offers, decisions, the API and results take a saved change within seconds, without a code change
or a migration (``campaigns.channel_registry``; ``docs/channels.md`` says what a new channel
gets). A channel in use is deactivated, never deleted."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from cvm_portal import formatting as fmt
from cvm_portal.translated import TranslatedErrorsMixin, side_by_side

from .channel_registry import channel_in_use
from .formats import FORMATS
from .models import Channel, ChannelCost
from .translation import CHANNEL_FIELDS


class ChannelCostInline(admin.TabularInline):
    """The channel's cost per contact, each from the date it took effect (the channel
    optimisation report and its what-if read them)."""

    model = ChannelCost
    extra = 0
    fields = ["effective_from", "cost_per_contact", "note"]
    ordering = ["-effective_from"]


class ChannelForm(TranslatedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Channel
        fields = [
            "code", "name", "position", "active", "assisted", "formats", "limits", "consent",
        ]  # fmt: skip


@admin.register(Channel)
class ChannelAdmin(TranslationAdmin):
    """Add a channel, change its name, formats, consent or costs, switch it off. The code is
    kept in every decision and result, so it cannot change once saved; a channel that campaigns,
    offers, decisions or prices use is deactivated instead of deleted."""

    form = ChannelForm
    list_display = [
        "code",
        "name",
        "assisted",
        "consent",
        "formats_display",
        "active",
        "current_cost",
        "position",
    ]
    list_editable = ["active", "position"]
    list_filter = ["active", "assisted", "consent"]
    search_fields = ["code", "name_en", "name_pl"]
    inlines = [ChannelCostInline]
    actions = ["deactivate", "activate"]
    fieldsets = side_by_side(
        [
            (None, {"fields": ["code", "name", "position", "active"]}),
            (
                _("What the channel shows and needs"),
                {"fields": ["assisted", "formats", "limits", "consent"]},
            ),
        ],
        CHANNEL_FIELDS,
    )

    def get_readonly_fields(self, _request, obj=None):
        return ["code"] if obj is not None else []

    @admin.display(description=_("content formats"))
    def formats_display(self, obj: Channel) -> str:
        if obj.assisted:
            return str(_("agent script"))
        limits = obj.limits or {}
        return ", ".join(
            f"{FORMATS[code].label} ({limits.get(code, FORMATS[code].gsm_limit)})"
            for code in obj.formats or []
            if code in FORMATS
        )

    @admin.display(description=_("cost per contact today"))
    def current_cost(self, obj: Channel) -> str:
        cost = (
            obj.costs.filter(effective_from__lte=timezone.localdate())
            .order_by("-effective_from")
            .values_list("cost_per_contact", flat=True)
            .first()
        )
        return fmt.money(cost) if cost is not None else "—"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each checked for use
        return actions

    @admin.action(description=_("Deactivate the selected channels (no more decisions)"))
    def deactivate(self, _request, queryset):
        for channel in queryset:  # save(): the registry's signal reaches every process
            channel.active = False
            channel.save(update_fields=["active", "updated_at"])

    @admin.action(description=_("Activate the selected channels"))
    def activate(self, _request, queryset):
        for channel in queryset:
            channel.active = True
            channel.save(update_fields=["active", "updated_at"])

    def delete_view(self, request, object_id, extra_context=None):
        channel = self.get_object(request, object_id)
        uses = channel_in_use(channel.code) if channel is not None else []
        if uses:
            self.message_user(
                request,
                ngettext(
                    "%(channel)s cannot be deleted: %(uses)s uses it. Deactivate it instead.",
                    "%(channel)s cannot be deleted: %(uses)s use it. Deactivate it instead.",
                    len(uses),
                )
                % {"channel": channel, "uses": ", ".join(uses)},
                messages.ERROR,
            )
            return HttpResponseRedirect(
                reverse("admin:campaigns_channel_change", args=[channel.pk])
            )
        return super().delete_view(request, object_id, extra_context)
