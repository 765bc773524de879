"""The CVM manager's admin: every CVM model, searchable, filterable, with errors that say what to fix."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cvm_portal.audit import record_access

from .choices import CampaignStatus
from .lifecycle import change_status
from .models import Campaign, Customer, Offer, OfferContent, Product
from .textrules import measure_short_text


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Personal data: every search and every opened record is written to the audit trail."""

    list_display = [
        "external_id",
        "name",
        "phone",
        "segment",
        "value_tier",
        "customer_since",
        "do_not_contact",
    ]
    list_filter = ["segment", "value_tier", "do_not_contact", "preferred_channel", "consent_calls"]
    search_fields = ["=external_id", "=phone", "name"]
    show_full_result_count = False  # COUNT(*) over millions of customers is not worth its time
    readonly_fields = ["do_not_contact_since", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["external_id", "name", "phone"]}),
        (
            _("Profile"),
            {"fields": ["segment", "value_tier", "customer_since", "preferred_channel"]},
        ),
        (
            _("Consent"),
            {
                "fields": [
                    "consent_marketing",
                    "consent_calls",
                    "consent_sms",
                    "consent_app_push",
                    "consent_digital",
                    "do_not_contact",
                    "do_not_contact_since",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        if search_term:
            record_access(
                user=request.user, action="search", detail=f"admin customer search: {search_term}"
            )
            try:
                from .phones import normalise_phone

                search_term = normalise_phone(search_term)
            except ValidationError:
                pass
        return super().get_search_results(request, queryset, search_term)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, object_id)
        if customer is not None:
            record_access(user=request.user, action="view", obj=customer, detail="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "family", "is_active"]
    list_filter = ["family", "is_active"]
    search_fields = ["code", "name"]


class OfferContentInline(admin.StackedInline):
    model = OfferContent
    extra = 0
    fields = ["channel_kind", "agent_script", "short_text", "banner_title"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "product", "value", "valid_from", "valid_until", "kinds"]
    list_filter = ["product__family", "product"]
    search_fields = ["code", "title", "product__name"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    inlines = [OfferContentInline]

    @admin.display(description=_("channel kinds"))
    def kinds(self, obj: Offer) -> str:
        return ", ".join(obj.channel_kinds)


@admin.register(OfferContent)
class OfferContentAdmin(admin.ModelAdmin):
    list_display = ["offer", "channel_kind", "script_words", "short_text_length"]
    list_filter = ["channel_kind"]
    search_fields = ["offer__code", "offer__title", "agent_script", "short_text"]
    list_select_related = ["offer"]

    @admin.display(description=_("script words"))
    def script_words(self, obj: OfferContent) -> int:
        return len(obj.agent_script.split())

    @admin.display(description=_("short text length"))
    def short_text_length(self, obj: OfferContent) -> str:
        if not obj.short_text:
            return "—"
        m = measure_short_text(obj.short_text)
        return f"{m.used}/{m.limit} {m.encoding}"


def _transition_action(to: CampaignStatus, label):
    def action(modeladmin, request, queryset):
        moved = 0
        for campaign in queryset:
            try:
                change_status(campaign=campaign, to=to)
                moved += 1
            except ValidationError as exc:
                modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        if moved:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(n)d campaign is now %(status)s.",
                    "%(n)d campaigns are now %(status)s.",
                    moved,
                )
                % {"n": moved, "status": to.label},
                messages.SUCCESS,
            )

    action.__name__ = f"make_{to.value}"
    action.short_description = label
    action.allowed_permissions = ("change",)
    return action


class CampaignAdminForm(forms.ModelForm):
    """Checks that the chosen offers can actually run in this campaign's channels and period."""

    class Meta:
        model = Campaign
        fields = [
            "code", "name", "objective", "description", "owner", "starts_at", "ends_at",
            "channel_kinds", "offers", "priority_weight", "control_share", "cooldown_days",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        kinds = set(cleaned.get("channel_kinds") or [])
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        problems = []
        for offer in cleaned.get("offers") or []:
            if kinds and not kinds & set(offer.channel_kinds):
                problems.append(
                    _(
                        "%(offer)s is not allowed in any of this campaign's channels; allow one of them on the offer or remove it."
                    )
                    % {"offer": offer.code}
                )
            if (
                starts
                and ends
                and not (
                    offer.valid_from < ends
                    and (offer.valid_until is None or offer.valid_until > starts)
                )
            ):
                problems.append(
                    _(
                        "%(offer)s is not valid at any time during the campaign's period; change its validity or remove it."
                    )
                    % {"offer": offer.code}
                )
        if problems:
            self.add_error("offers", problems)
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Status changes go through actions, so the lifecycle (draft → … → ended) is enforced."""

    form = CampaignAdminForm

    list_display = [
        "code",
        "name",
        "objective",
        "status",
        "starts_at",
        "ends_at",
        "priority_weight",
        "control_share",
        "cooldown_days",
    ]
    list_filter = ["status", "objective"]
    search_fields = ["code", "name"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["offers"]
    readonly_fields = ["status", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "name", "objective", "description", "owner", "status"]}),
        (_("Period and channels"), {"fields": ["starts_at", "ends_at", "channel_kinds"]}),
        (_("Offers"), {"fields": ["offers"]}),
        (
            _("Arbitration and contact policy"),
            {"fields": ["priority_weight", "control_share", "cooldown_days"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = [
        _transition_action(CampaignStatus.IN_REVIEW, _("Submit for review")),
        _transition_action(CampaignStatus.APPROVED, _("Approve")),
        _transition_action(CampaignStatus.LIVE, _("Go live")),
        _transition_action(CampaignStatus.PAUSED, _("Pause")),
        _transition_action(CampaignStatus.ENDED, _("End")),
        _transition_action(CampaignStatus.DRAFT, _("Send back to draft")),
    ]

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
