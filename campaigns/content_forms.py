"""The offer-content form of the admin: one group of fields per format, each text with its
limit on the field (``data-format-limit``) for the remaining-characters counter of
``static/js/format_counter.js``."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .formats import FORMATS
from .models import OfferContent

# Each text field of OfferContent and the format whose limit it has.
FIELD_FORMATS = {
    "short_text": "ussd",
    "sms_text": "sms",
    "push_title": "push_title",
    "push_body": "push_body",
    "banner_title": "banner_title",
    "banner_alt": "banner_alt",
    "ivr_prompt": "ivr_prompt",
}

# Short texts on one line; the rest in a few rows.
SINGLE_LINE = {"push_title", "banner_title", "banner_alt"}
WIDGET_ATTRS = {
    "short_text": {"rows": 3},
    "sms_text": {"rows": 3},
    "push_title": {"size": 60},
    "push_body": {"rows": 3},
    "banner_title": {"size": 70},
    "banner_alt": {"size": 80},
    "ivr_prompt": {"rows": 4},
}

FIELDSETS = [
    (None, {"fields": ["channel_kind"]}),
    (
        _("Agents (console and outbound calls)"),
        {"fields": ["agent_script"], "description": _("Read aloud during a live contact.")},
    ),
    (_("USSD screen"), {"fields": ["short_text"]}),
    (_("SMS"), {"fields": ["sms_text"]}),
    (_("App push"), {"fields": ["push_title", "push_body"]}),
    (
        _("Banner (app and web)"),
        {"fields": ["banner_title", "banner_image", "banner_alt", "banner_link"]},
    ),
    (_("IVR"), {"fields": ["ivr_prompt"]}),
]


def formfield(db_field, **kwargs):
    """Model field → form field; a link typed without a scheme is taken as https."""
    if db_field.name == "banner_link":
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class OfferContentAdminMixin:
    """For the admin's offer-content pages (inline and the model's own): a link typed without a
    scheme is taken as https."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "banner_link":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class OfferContentForm(forms.ModelForm):
    """Offer content with single-line inputs for the short texts and the limits on the fields."""

    class Meta:
        model = OfferContent
        formfield_callback = formfield
        fields = [
            "offer",
            "channel_kind",
            "agent_script",
            *FIELD_FORMATS,
            "banner_image",
            "banner_link",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        left = gettext("%(used)s of %(limit)s characters%(encoding)s, %(left)s left")
        over = gettext("%(used)s of %(limit)s characters%(encoding)s: %(left)s too many")
        for name, field in self.fields.items():
            base = _base_name(name)
            if base not in FIELD_FORMATS:
                continue
            fmt = FORMATS[FIELD_FORMATS[base]]
            attrs = {**field.widget.attrs, **WIDGET_ATTRS.get(base, {})}
            # The browser must not cut a text at the database's length: the counter and the
            # validator say how far over it is instead.
            attrs.pop("maxlength", None)
            attrs.update(
                {
                    "data-format-limit": fmt.gsm_limit,
                    "data-format-ucs-limit": fmt.ucs_limit or "",
                    "data-counter-left": left,
                    "data-counter-over": over,
                }
            )
            single_line = base in SINGLE_LINE
            field.widget = (forms.TextInput if single_line else forms.Textarea)(attrs=attrs)


def _base_name(name: str) -> str:
    """ "sms_text" for "sms_text" and for its translations ("sms_text_en", "sms_text_pl")."""
    for code, _label in settings.LANGUAGES:
        suffix = "_" + code.replace("-", "_")
        if name.endswith(suffix) and name[: -len(suffix)] in FIELD_FORMATS:
            return name[: -len(suffix)]
    return name
