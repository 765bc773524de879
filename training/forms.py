"""Forms of the training pages: authoring a guide, its questions and images, taking a quiz,
reviewing the weekly sales digest."""

import random

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.choices import CampaignStatus
from campaigns.models import Campaign
from cvm_portal.roles import Role

from .choices import QuestionKind
from .models import AUDIENCE_ROLES, DIGITAL_KINDS, Guide, GuideImage, WeeklyDigest
from .publishing import check_choices, parse_choices
from .sites import directory


def _site_choices():
    return list(directory().site_names(active_only=True).items())


class GuideForm(forms.ModelForm):
    """The guide as its trainer writes it (used by the authoring page and the admin)."""

    site_ids = forms.TypedMultipleChoiceField(
        label=_("Sites"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Guide._meta.get_field("site_ids").help_text,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=AUDIENCE_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Guide._meta.get_field("roles").help_text,
    )

    class Meta:
        model = Guide
        fields = [
            "title",
            "body",
            "campaigns",
            "channel_kinds",
            "site_ids",
            "roles",
            "due_days",
            "pass_mark",
            "max_attempts",
        ]
        widgets = {
            "campaigns": forms.CheckboxSelectMultiple,
            "body": forms.Textarea(attrs={"rows": 18}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_ids"].choices = _site_choices()
        self.fields["campaigns"].queryset = Campaign.objects.exclude(
            status=CampaignStatus.ENDED
        ).order_by("name")
        self.fields["campaigns"].help_text = _(
            "The programmes this guide teaches; agents see a notice next to their offers."
        )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the guide a title."))
        return title

    def clean(self):
        data = super().clean()
        kinds = set(data.get("channel_kinds") or [])
        roles = set(data.get("roles") or [])
        digital_team = Role.DIGITAL_TEAM.value in roles
        if kinds and kinds <= set(DIGITAL_KINDS) and not digital_team:
            # Agents work in the assisted kinds only: such a guide would reach nobody.
            self.add_error(
                "roles",
                _("Only digital channels are ticked: tick “Digital team member” too."),
            )
        if roles == {Role.DIGITAL_TEAM.value} and kinds and not kinds & set(DIGITAL_KINDS):
            self.add_error(
                "channel_kinds",
                _("Digital teams work on web, app, chatbot, IVR or USSD: tick one of them."),
            )
        return data


class PublishForm(forms.Form):
    material = forms.TypedChoiceField(
        label=_("What kind of change is this?"),
        choices=[
            ("1", _("A material change: everyone who completed it re-acknowledges")),
            ("0", _("A minor wording fix: completions still count")),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What changed (optional)"), max_length=300, required=False)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    choices = forms.CharField(
        label=_("Answers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One answer a line; start the right answer(s) with *."),
    )

    def clean(self):
        data = super().clean()
        if "choices" in data and "kind" in data:
            parsed = parse_choices(data["choices"])
            try:
                check_choices(data["kind"], parsed)
            except ValidationError as exc:
                self.add_error("choices", exc)
            data["parsed"] = parsed
        return data


class ImageForm(forms.ModelForm):
    class Meta:
        model = GuideImage
        fields = ["image", "alt"]
        widgets = {
            "image": forms.ClearableFileInput(
                attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
            )
        }


class QuizForm(forms.Form):
    """The quiz of one version, answers shuffled for each showing."""

    def __init__(self, *args, quiz: list[dict], seed=None, **kwargs):
        super().__init__(*args, **kwargs)
        rng = random.Random(seed)
        for q in quiz:
            choices = [(str(c["id"]), c["text"]) for c in q["choices"]]
            rng.shuffle(choices)
            field_class = (
                forms.MultipleChoiceField
                if q["kind"] == QuestionKind.MULTIPLE
                else forms.ChoiceField
            )
            widget = (
                forms.CheckboxSelectMultiple
                if q["kind"] == QuestionKind.MULTIPLE
                else forms.RadioSelect
            )
            self.fields[f"q{q['id']}"] = field_class(
                label=q["text"],
                choices=choices,
                widget=widget,
                error_messages={"required": _("Answer this question.")},
            )
            self.fields[f"q{q['id']}"].question_id = q["id"]
            self.fields[f"q{q['id']}"].multiple = q["kind"] == QuestionKind.MULTIPLE

    def answers(self) -> dict[str, list[str]]:
        out = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            out[str(field.question_id)] = value if isinstance(value, list) else [value]
        return out


class DigestReviewForm(forms.Form):
    """A trainer's review of a draft digest: a comment for agents, items to hide, and whether to
    publish now or keep the draft."""

    SAVE, PUBLISH = "save", "publish"

    comment = forms.CharField(
        label=_("Your comment to agents"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What to try this week, and why. Shown above the figures. Optional."),
    )
    hidden = forms.TypedMultipleChoiceField(coerce=int, required=False)
    action = forms.ChoiceField(choices=[(SAVE, _("Save the draft")), (PUBLISH, _("Publish"))])

    def __init__(self, *args, digest: WeeklyDigest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hidden"].choices = [
            (pk, str(pk)) for pk in digest.items.values_list("pk", flat=True)
        ]
        self.fields["hidden"].error_messages["invalid_choice"] = _(
            "That item is not in this digest any more: reload the page and try again."
        )
