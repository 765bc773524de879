"""Which texts CVM writes are kept in Polish and English (django-modeltranslation).

Each field listed here gets one column per language (``title_en``, ``title_pl``); reading
``offer.title`` gives the reader's language (``get_language()``, set per request by
LocaleMiddleware) and falls back to the other one (settings: MODELTRANSLATION_*). Objects held
in the process catalogue (``campaigns.catalogue``) carry both columns, so one catalogue serves
Polish and English agents alike. ``cvm_portal.translated`` says which language a text came in.

The change history (simple-history's historical models) keeps both languages too: the
historical models are registered with the same fields.

Feedback reasons are TextChoices (``campaigns.choices``): the UI catalogue translates them.
"""

from modeltranslation.translator import TranslationOptions, translator

from .models import Channel, DeclineReason, Intent, NeedTag, Offer, OfferContent

OFFER_FIELDS = ("title", "benefit")
OFFER_CONTENT_FIELDS = (
    "agent_script",
    "short_text",
    "banner_title",
    "sms_text",
    "push_title",
    "push_body",
    "banner_alt",
    "ivr_prompt",
)
DECLINE_REASON_FIELDS = ("label",)
INTENT_FIELDS = ("name",)
NEED_FIELDS = ("label",)
CHANNEL_FIELDS = ("name",)


def _options(fields: tuple[str, ...]) -> type[TranslationOptions]:
    return type("Options", (TranslationOptions,), {"fields": fields})


def register(model, fields: tuple[str, ...]) -> None:
    """Register ``model`` and, when it keeps a change history, its historical model."""
    translator.register(model, _options(fields))
    history = getattr(model, "history", None)
    if history is not None:
        translator.register(history.model, _options(fields))


register(Offer, OFFER_FIELDS)
register(OfferContent, OFFER_CONTENT_FIELDS)
register(DeclineReason, DECLINE_REASON_FIELDS)
register(Intent, INTENT_FIELDS)
register(NeedTag, NEED_FIELDS)
register(Channel, CHANNEL_FIELDS)
