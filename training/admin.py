"""Admin for training: guides (with their questions) and read-only records of who did what."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from cvm_portal.admin import ReadOnlyAdmin

from .forms import GuideForm
from .models import (
    DIGITAL_KINDS,
    Assignment,
    AttemptAnswer,
    Choice,
    Completion,
    DigitalTeamProfile,
    Guide,
    GuideImage,
    GuideVersion,
    Question,
    QuizAttempt,
)
from .publishing import check_choices
from .teams import check_member, leave_digital_team, set_digital_team


class ChoiceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kind = getattr(self.instance, "kind", None)
        choices = [
            (f.cleaned_data["text"], f.cleaned_data.get("is_correct", False))
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if kind:
            try:
                check_choices(kind, choices)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 3


class GuideImageInline(admin.TabularInline):
    model = GuideImage
    extra = 0
    fields = ["image", "alt"]


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    """The same form as the authoring page; publish from the authoring page (it freezes a version)."""

    form = GuideForm
    list_display = ["title", "current_version", "required_version", "due_days", "pass_mark"]
    search_fields = ["title"]
    inlines = [GuideImageInline]
    readonly_fields = ["current_version", "required_version", "author", "created_at", "updated_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "guide", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["text", "guide__title"]
    inlines = [ChoiceInline]


@admin.register(GuideVersion)
class GuideVersionAdmin(ReadOnlyAdmin):
    list_display = ["guide", "number", "material", "published_by", "published_at"]
    list_filter = ["material"]


@admin.register(GuideImage)
class GuideImageAdmin(admin.ModelAdmin):
    list_display = ["alt", "guide", "uploaded_at"]
    search_fields = ["alt", "guide__title"]


@admin.register(Choice)
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ["text", "question", "is_correct"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["guide", "user", "site_id", "assigned_at", "due_at", "opened_at"]
    list_filter = ["guide"]
    search_fields = ["user__username", "guide__title"]


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "acknowledged_at", "passed_at", "score", "completed_at"]
    search_fields = ["user__username", "guide__title"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "score", "passed", "submitted_at"]
    list_filter = ["passed"]
    search_fields = ["user__username", "guide__title"]


@admin.register(AttemptAnswer)
class AttemptAnswerAdmin(ReadOnlyAdmin):
    list_display = ["question_text", "correct", "attempt"]
    list_filter = ["correct"]


class DigitalTeamProfileForm(forms.ModelForm):
    class Meta:
        model = DigitalTeamProfile
        fields = ["user", "channel_kinds"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = self.fields["channel_kinds"]
        kinds.choices = [(k, v) for k, v in kinds.choices if k in DIGITAL_KINDS]

    def clean(self):
        data = super().clean()
        user = data.get("user") or (self.instance.user if self.instance.pk else None)
        if user is not None:
            check_member(user=user, channel_kinds=data.get("channel_kinds") or [])
        return data


@admin.register(DigitalTeamProfile)
class DigitalTeamProfileAdmin(admin.ModelAdmin):
    """People on the web, app, chatbot, IVR and USSD teams: saving one gives the digital team
    role (their home is "My training"); deleting one takes it away."""

    form = DigitalTeamProfileForm
    list_display = ["user", "channel_kinds"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):  # noqa: ARG002 - Django's signature
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):  # noqa: ARG002 - Django's signature
        saved = set_digital_team(user=obj.user, channel_kinds=obj.channel_kinds)
        obj.pk = saved.pk

    def delete_model(self, request, obj):  # noqa: ARG002
        leave_digital_team(user=obj.user)

    def delete_queryset(self, request, queryset):  # noqa: ARG002
        for profile in queryset.select_related("user"):
            leave_digital_team(user=profile.user)
