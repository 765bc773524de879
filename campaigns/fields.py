"""Model fields of the CVM side."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import ChannelKind


class ChannelKindsField(models.JSONField):
    """A set of channel kinds, stored as a sorted JSON list; edited as checkboxes.

    JSON keeps it one column on SQLite and PostgreSQL alike; query it with
    ``QuerySet.for_channel_kind`` rather than by hand.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        defaults = {
            "choices": ChannelKind.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        kwargs.pop("form_class", None)
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("widget", None)
        return forms.MultipleChoiceField(**{**defaults, **kwargs})

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("Channel kinds must be a list."), code="invalid")
        unknown = sorted(set(value) - set(ChannelKind.values))
        if unknown:
            raise ValidationError(
                _("Unknown channel kind(s): %(kinds)s. Use one of: %(allowed)s."),
                code="invalid_choice",
                params={"kinds": ", ".join(unknown), "allowed": ", ".join(ChannelKind.values)},
            )

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, list | tuple | set):
            order = {kind: i for i, kind in enumerate(ChannelKind.values)}
            value = sorted(set(value), key=lambda k: order.get(k, len(order)))
            setattr(model_instance, self.attname, value)
        return value


def channel_kind_lookup(kind: str) -> dict[str, str]:
    """Filter kwargs matching rows whose ChannelKindsField named ``channel_kinds`` holds ``kind``.

    A quoted substring test on the JSON text works on SQLite and PostgreSQL
    (SQLite has no JSON ``contains``); kinds never contain quotes.
    """
    if kind not in ChannelKind.values:
        raise ValueError(f"unknown channel kind {kind!r}")
    return {"channel_kinds__icontains": f'"{kind}"'}
