"""Which language a text CVM writes is read in, for the reader's interface language.

Texts kept in both languages (``campaigns/translation.py``) read in the reader's language and
fall back to the other one. A page that shows a fallen-back text marks it with ``lang`` so a
screen reader pronounces it in its own language (WCAG 3.1.2): this module says when, and
``{% translated %}`` (``cvm_portal/templatetags/translated.py``) writes the mark.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from modeltranslation import settings as mt_settings
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order


@dataclass(frozen=True)
class Text:
    text: str
    language: str  # the language the text is written in
    other_language: bool  # True when it is not the reader's language (a fallback)


def translated(obj, field: str, language: str | None = None) -> Text:
    """``obj.field`` as the reader of ``language`` (default: the active one) sees it, and in
    which language that is. A field not kept in both languages counts as the reader's."""
    reader = language or get_language()
    descriptor = getattr(type(obj), field, None)
    if isinstance(descriptor, TranslationFieldDescriptor):
        for lang in resolution_order(reader, descriptor.fallback_languages):
            value = getattr(obj, build_localized_fieldname(field, lang), None)
            if value:
                return Text(value, lang, lang != reader)
    value = getattr(obj, field, "")
    return Text("" if value is None else str(value), reader, False)


def languages() -> list[str]:
    """The languages texts are kept in, the default one first."""
    return list(mt_settings.AVAILABLE_LANGUAGES)


def side_by_side(fieldsets, fields) -> list:
    """Admin fieldsets with each of ``fields`` replaced by one row of its language fields
    (``title_en``, ``title_pl``), so the two are edited next to each other."""
    return [
        (
            name,
            {
                **options,
                "fields": [
                    tuple(build_localized_fieldname(f, lang) for lang in languages())
                    if isinstance(f, str) and f in fields
                    else f
                    for f in options["fields"]
                ],
            },
        )
        for name, options in fieldsets
    ]


class TranslatedErrorsMixin:
    """For a model form of language fields (``agent_script_en``, ``agent_script_pl``): an error
    the model's ``clean()`` gives the field itself (``agent_script``) shows at the default
    language's field, not as a crash for a field the form does not have."""

    def _update_errors(self, errors: ValidationError) -> None:
        if hasattr(errors, "error_dict"):
            moved: dict[str, list] = {}
            for name, messages in errors.error_dict.items():
                target = build_localized_fieldname(name, mt_settings.DEFAULT_LANGUAGE)
                if name not in self.fields and target in self.fields:
                    name = target
                moved.setdefault(name, []).extend(messages)
            errors = ValidationError(moved)
        super()._update_errors(errors)
