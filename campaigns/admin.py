"""The CVM manager's admin: every CVM model, searchable, filterable, with errors that say what to fix."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from cvm_portal import formatting as fmt
from cvm_portal.admin import ReadOnlyAdmin
from cvm_portal.broker import status as broker_status
from cvm_portal.translated import TranslatedErrorsMixin, side_by_side

from . import channels_admin, customers_admin  # noqa: F401 - register channels, customers
from .choices import CampaignStatus
from .content_forms import FIELDSETS as CONTENT_FIELDSETS
from .content_forms import OfferContentAdminMixin, OfferContentForm
from .context_admin import EligibilityRuleForm  # also registers the stated intents
from .governance.kill_admin import stop_now  # also registers the kill switch's records
from .governance.revision_admin import (  # also registers the revisions' own admin
    CampaignEditsAsRevisions,
    OfferContentEditsAsRevisions,
    OfferEditsAsRevisions,
)
from .learning import admin as learning_admin  # noqa: F401 - registers the learned figures
from .lifecycle import change_status
from .loads.runs import queue_target_group, retake_stranded
from .models import (
    ApprovalRecord,
    Campaign,
    ContactPolicy,
    DeclineReason,
    EligibilityRule,
    LoadRun,
    Offer,
    OfferContent,
    Product,
    Response,
    TargetGroup,
    TargetGroupVersion,
)
from .need_admin import NeedTagAdmin  # noqa: F401 - registers the customer-need taxonomy
from .optimisation import admin as _optimisation_admin  # noqa: F401 - the routing policy
from .roadmap import admin as _roadmap_admin  # noqa: F401 - registers initiatives and items
from .textrules import measure_short_text
from .translation import DECLINE_REASON_FIELDS, OFFER_CONTENT_FIELDS, OFFER_FIELDS


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "family", "is_active"]
    list_filter = ["family", "is_active"]
    search_fields = ["code", "name"]
    actions = [stop_now]


class BilingualContentForm(TranslatedErrorsMixin, OfferContentForm):
    """The content form of language fields: OfferContent.clean's errors (a script missing…)
    show at the English field."""


class OfferContentInline(OfferContentAdminMixin, TranslationStackedInline):
    model = OfferContent
    extra = 0
    # One group per format, each text with its remaining characters (content_forms).
    form = BilingualContentForm
    # Each text in English and Polish side by side (campaigns/translation.py).
    fieldsets = side_by_side(CONTENT_FIELDSETS, OFFER_CONTENT_FIELDS)
    classes = ["offer-content"]

    class Media:
        js = ["js/format_counter.js"]
        css = {"all": ["css/offer_content_admin.css"]}


@admin.register(Offer)
class OfferAdmin(OfferEditsAsRevisions, TranslationAdmin):
    list_display = ["code", "title", "product", "value", "valid_from", "valid_until", "kinds"]
    list_filter = ["product__family", "product"]
    search_fields = ["code", "title_en", "title_pl", "product__name"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    inlines = [OfferContentInline]
    actions = [stop_now]
    # Title and benefit in English and Polish side by side (campaigns/translation.py).
    fieldsets = side_by_side(
        [
            (
                None,
                {
                    "fields": [
                        "code",
                        "product",
                        *OFFER_FIELDS,
                        "value",
                        "valid_from",
                        "valid_until",
                        "channel_kinds",
                    ]
                },
            )
        ],
        OFFER_FIELDS,
    )

    @admin.display(description=_("channel kinds"))
    def kinds(self, obj: Offer) -> str:
        return ", ".join(obj.channel_kinds)


@admin.register(OfferContent)
class OfferContentAdmin(OfferContentAdminMixin, OfferContentEditsAsRevisions, TranslationAdmin):
    list_display = ["offer", "channel_kind", "script_words", "short_text_length"]
    list_filter = ["channel_kind"]
    search_fields = [
        "offer__code",
        "offer__title_en",
        "offer__title_pl",
        "agent_script_en",
        "agent_script_pl",
        "short_text_en",
        "short_text_pl",
    ]
    list_select_related = ["offer"]
    form = BilingualContentForm
    fieldsets = side_by_side(
        [(None, {"fields": ["offer"]}), *CONTENT_FIELDSETS], OFFER_CONTENT_FIELDS
    )

    class Media:
        js = ["js/format_counter.js"]
        css = {"all": ["css/offer_content_admin.css"]}

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
    """A status action that goes through the lifecycle as the signed-in user: four eyes, the
    pre-live checks, warnings to acknowledge and rejection comments are enforced there, and
    a refusal links to the campaign's governance page where they can be dealt with."""

    def action(modeladmin, request, queryset):
        moved = 0
        for campaign in queryset:
            try:
                change_status(campaign=campaign, to=to, by=request.user)
                moved += 1
            except ValidationError as exc:
                modeladmin.message_user(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        " ".join(exc.messages),
                        reverse("campaigns:campaign_governance", args=[campaign.pk]),
                        _("Open its governance page"),
                    ),
                    messages.ERROR,
                )
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
            "attribution_days", "propensity_source", "exploration_share",
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


class ApprovalRecordInline(admin.TabularInline):
    """The governance record, read-only: it is written by the lifecycle alone."""

    model = ApprovalRecord
    extra = 0
    can_delete = False
    verbose_name_plural = _("governance: submissions, approvals, rejections")
    fields = ["at", "step", "from_status", "to_status", "by", "comment", "warnings_acknowledged"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("warnings acknowledged"))
    def warnings_acknowledged(self, obj: ApprovalRecord) -> str:
        return "; ".join(obj.acknowledged_messages) or "—"


class EligibilityRuleInline(admin.StackedInline):
    """Fill this in to make the campaign always on: no target group, offers for every match."""

    model = EligibilityRule
    form = EligibilityRuleForm
    extra = 0
    max_num = 1
    verbose_name = _("always-on eligibility (instead of a target group)")
    autocomplete_fields = ["requires_product"]


@admin.register(Campaign)
class CampaignAdmin(CampaignEditsAsRevisions, admin.ModelAdmin):
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
        (
            _("Likelihood of acceptance"),
            {"fields": ["propensity_source", "exploration_share"]},
        ),
        (_("Results"), {"fields": ["attribution_days"]}),
        (_("Training"), {"fields": ["training_required"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [EligibilityRuleInline, ApprovalRecordInline]

    def get_inlines(self, request, obj):
        # A new campaign has no approval history: no inline, so no form set to post for it.
        return self.inlines if obj is not None else [EligibilityRuleInline]

    actions = [
        _transition_action(CampaignStatus.IN_REVIEW, _("Submit for review")),
        _transition_action(CampaignStatus.APPROVED, _("Approve")),
        _transition_action(CampaignStatus.LIVE, _("Go live")),
        _transition_action(CampaignStatus.PAUSED, _("Pause")),
        _transition_action(CampaignStatus.ENDED, _("End")),
        _transition_action(CampaignStatus.DRAFT, _("Send back to draft")),
        stop_now,
    ]

    def view_on_site(self, obj: Campaign) -> str:
        return reverse("campaigns:campaign_governance", args=[obj.pk])

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    """Reject thresholds are edited here; "Load now" queues the newest ready file of a group."""

    list_display = ["campaign", "live_members", "live_since", "reject_threshold"]
    search_fields = ["campaign__code", "campaign__name"]
    list_select_related = ["campaign", "active_version"]
    fields = ["campaign", "active_version", "reject_threshold"]
    readonly_fields = ["campaign", "active_version"]
    actions = ["load_now"]

    def has_add_permission(self, request):
        return False  # target groups come into being with their first file

    @admin.display(description=_("live members"))
    def live_members(self, obj: TargetGroup):
        return obj.active_version.member_count if obj.active_version else "—"

    @admin.display(description=_("live since"))
    def live_since(self, obj: TargetGroup):
        return obj.active_version.activated_at if obj.active_version else "—"

    @admin.action(
        description=_("Load now (the newest ready file in the inbox)"), permissions=["change"]
    )
    def load_now(self, request, queryset):
        for group in queryset.select_related("campaign"):
            run = queue_target_group(
                target_group=group,
                started_by=f"admin: {request.user.get_username()}",
                user=request.user,
            )
            if run is None:
                self.message_user(
                    request,
                    _("No ready file for %(code)s in the inbox (a file needs its .ok marker).")
                    % {"code": group.campaign.code},
                    messages.WARNING,
                )
            elif getattr(run, "queue_error", ""):
                self.message_user(
                    request,
                    format_html(
                        _(
                            'File {file} is registered as <a href="{url}">run #{run}</a> but not '
                            "queued: the task queue (Redis) is not answering. It is queued "
                            "automatically once the queue answers again."
                        ),
                        file=run.file_name,
                        url=reverse("campaigns:load_detail", args=[run.pk]),
                        run=run.pk,
                    ),
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    format_html(
                        _('File {file} is queued as <a href="{url}">run #{run}</a>.'),
                        file=run.file_name,
                        url=reverse("campaigns:load_detail", args=[run.pk]),
                        run=run.pk,
                    ),
                    messages.SUCCESS,
                )


@admin.register(LoadRun)
class LoadRunAdmin(ReadOnlyAdmin):
    """Written by the loads only."""

    list_display = [
        "file_name",
        "kind",
        "target",
        "status",
        "progress",
        "rows_loaded",
        "rows_rejected",
        "rows_per_s",
        "started_by",
        "created_at",
    ]
    list_filter = ["status", "kind", "target"]
    search_fields = ["file_name", "target", "sha256"]
    date_hierarchy = "created_at"
    actions = ["retake"]

    @admin.action(
        description=_("Queue again if stranded (its worker died, or it never reached the queue)"),
        permissions=["view"],
    )
    def retake(self, request, queryset):
        taken = retake_stranded(among=queryset)
        if taken:
            self.message_user(
                request,
                ngettext(
                    "%(runs)s was stranded and is queued again.",
                    "%(runs)s were stranded and are queued again.",
                    len(taken),
                )
                % {"runs": ", ".join(f"#{run.pk}" for run in taken)},
                messages.SUCCESS,
            )
        elif broker_status() not in (None, "ok"):
            self.message_user(
                request,
                _(
                    "The task queue (Redis) is not answering, so nothing could be queued. "
                    "Stranded runs are queued automatically once it answers again."
                ),
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _(
                    "None of them is stranded: a run is queued again when it is waiting or "
                    "running and nothing has shown a sign of life for it in %(seconds)d s."
                )
                % {"seconds": settings.CVM_LOAD_STALE_SECONDS},
                messages.INFO,
            )

    @admin.display(description=_("progress"))
    def progress(self, obj: LoadRun) -> str:
        percent = obj.progress_percent
        return fmt.percent_points(percent) if percent is not None else "—"

    @admin.display(description=_("rows/s"))
    def rows_per_s(self, obj: LoadRun) -> str:
        rate = obj.rows_per_second
        return fmt.number(rate) if rate else "—"

    def view_on_site(self, obj: LoadRun) -> str:
        return reverse("campaigns:load_detail", args=[obj.pk])


@admin.register(TargetGroupVersion)
class TargetGroupVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "target_group",
        "member_count",
        "control_count",
        "created_at",
        "activated_at",
        "retired_at",
    ]
    list_filter = ["target_group"]
    list_select_related = ["target_group__campaign"]
    fields = [
        "target_group", "created_at", "activated_at", "retired_at", "member_count",
        "control_count", "control_code", "control_share", "extra_columns",
    ]  # fmt: skip
    readonly_fields = ["created_at", "extra_columns"]

    @admin.display(description=_("extra columns"))
    def extra_columns(self, obj: TargetGroupVersion) -> str:
        return ", ".join(obj.attribute_names) or "—"


@admin.register(ContactPolicy)
class ContactPolicyAdmin(admin.ModelAdmin):
    """One row: the contact limit across campaigns, offers per channel, arbitration weights."""

    list_display = ["__str__", "max_contacts", "window_days", "assisted_offers", "digital_offers"]
    fieldsets = [
        (_("Contact limit across campaigns"), {"fields": ["max_contacts", "window_days"]}),
        (_("How many offers"), {"fields": ["assisted_offers", "digital_offers"]}),
        (
            _("Arbitration"),
            {
                "fields": [
                    "propensity_weight",
                    "value_weight",
                    "priority_weight",
                    "default_propensity",
                    "browsed_family_boost",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return not ContactPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeclineReason)
class DeclineReasonAdmin(TranslationAdmin):
    list_display = ["label", "code", "suppression_days", "position", "is_active"]
    list_editable = ["suppression_days", "position", "is_active"]
    search_fields = ["label_en", "label_pl", "code"]
    fieldsets = side_by_side(
        [(None, {"fields": ["code", "label", "suppression_days", "position", "is_active"]})],
        DECLINE_REASON_FIELDS,
    )


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """Outcomes as agents and channels recorded them."""

    list_display = [
        "recorded_at",
        "customer",
        "offer",
        "campaign",
        "channel_kind",
        "outcome",
        "decline_reason",
        "agent",
    ]
    list_filter = ["outcome", "channel_kind", "campaign", "decline_reason"]
    search_fields = ["=customer__external_id", "offer__code", "campaign__code"]
    list_select_related = ["customer", "offer", "campaign", "decline_reason", "agent"]
    date_hierarchy = "recorded_at"
    show_full_result_count = False
