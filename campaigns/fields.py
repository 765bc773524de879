"""Model fields of the CVM side."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import ChannelKind, Device, Objective, ProductFamily, Segment, ValueTier


class ChoiceListField(models.JSONField):
    """A set of values of one ``TextChoices``, stored as a JSON list in choice order; edited as checkboxes.

    JSON keeps it one column on SQLite and PostgreSQL alike. Subclasses name the choices.
    """

    choices_class: type[models.TextChoices]
    unknown_message = _("Unknown value(s): %(values)s. Use one of: %(allowed)s.")

    def allowed_values(self) -> list[str]:
        """Every value the field accepts, in the order it stores them."""
        return list(self.choices_class.values)

    def form_choices(self) -> list[tuple[str, str]]:
        """(value, label) of the checkboxes a form offers."""
        return list(self.choices_class.choices)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        defaults = {
            "choices": self.form_choices,  # a callable: read when the form is built
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        for key in ("form_class", "encoder", "decoder", "widget"):
            kwargs.pop(key, None)
        return forms.MultipleChoiceField(**{**defaults, **kwargs})

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of values."), code="invalid")
        allowed = self.allowed_values()
        unknown = sorted(set(map(str, value)) - set(allowed))
        if unknown:
            raise ValidationError(
                self.unknown_message,
                code="invalid_choice",
                params={"values": ", ".join(unknown), "allowed": ", ".join(allowed)},
            )

    def pre_save(self, model_instance, add):  # noqa: ARG002 - Django's signature
        value = getattr(model_instance, self.attname)
        if isinstance(value, list | tuple | set):
            order = {item: i for i, item in enumerate(self.allowed_values())}
            value = sorted(set(value), key=lambda v: order.get(v, len(order)))
            setattr(model_instance, self.attname, value)
        return value


class ChannelKindsField(ChoiceListField):
    """A set of channel codes of the registry (``campaigns.channel_registry``); query it with
    ``channel_kind_lookup`` rather than by hand. A form offers the active channels (and any
    inactive one the row already holds stays valid)."""

    choices_class = ChannelKind  # the built-in channels; the registry may hold more
    unknown_message = _("Unknown channel kind(s): %(values)s. Use one of: %(allowed)s.")

    def allowed_values(self) -> list[str]:
        from . import channel_registry

        return channel_registry.codes()

    def form_choices(self) -> list[tuple[str, str]]:
        from . import channel_registry

        return channel_registry.choices(mark_inactive=True)


class FormatsField(ChoiceListField):
    """A set of content formats (``campaigns.formats.FORMATS``): what a channel shows."""

    unknown_message = _("Unknown content format(s): %(values)s. Use one of: %(allowed)s.")

    def allowed_values(self) -> list[str]:
        from .formats import FORMATS

        return list(FORMATS)

    def form_choices(self) -> list[tuple[str, str]]:
        from .formats import FORMATS

        return [(code, f"{fmt.label} ({fmt.gsm_limit})") for code, fmt in FORMATS.items()]


class SegmentsField(ChoiceListField):
    """A set of customer segments (empty: any segment)."""

    choices_class = Segment


class ValueTiersField(ChoiceListField):
    """A set of customer value tiers (empty: any tier)."""

    choices_class = ValueTier


class ProductFamiliesField(ChoiceListField):
    """A set of product families (empty: any family, or none, as the field's help says)."""

    choices_class = ProductFamily


class ObjectivesField(ChoiceListField):
    """A set of campaign objectives."""

    choices_class = Objective


class DevicesField(ChoiceListField):
    """A set of customer devices (empty: any device)."""

    choices_class = Device


def channel_kind_lookup(kind: str) -> dict[str, str]:
    """Filter kwargs matching rows whose ChannelKindsField named ``channel_kinds`` holds ``kind``.

    A quoted substring test on the JSON text works on SQLite and PostgreSQL
    (SQLite has no JSON ``contains``); kinds never contain quotes.
    """
    from . import channel_registry

    if kind not in channel_registry.codes():
        raise ValueError(f"unknown channel kind {kind!r}")
    return {"channel_kinds__icontains": f'"{kind}"'}
