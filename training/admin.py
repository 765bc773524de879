"""Admin for training: guides (with their questions) and read-only records of who did what."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from cvm_portal.admin import ReadOnlyAdmin

from .forms import GuideForm
from .models import (
    Assignment,
    AttemptAnswer,
    Choice,
    Completion,
    Guide,
    GuideImage,
    GuideVersion,
    Question,
    QuizAttempt,
)
from .publishing import check_choices


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
