"""The console's outcome keys, translated with the buttons they press.

A shortcut is remembered by the word on its button, so each key is the first letter of that
button's label in the agent's language ("A" for Accepted, "P" for Przyjęta). The keys and the
labels are translated side by side (contexts "outcome key" and "outcome button"); console.js
reads the keys from the page, and a test checks every language keeps them matching and distinct.
"""

from django.utils.translation import pgettext, pgettext_lazy

# The outcome buttons' labels, as the templates write them (the same msgids and context).
BUTTON_LABELS = {
    "accepted": pgettext_lazy("outcome button", "Accepted"),
    "later": pgettext_lazy("outcome button", "Later"),
    "declined": pgettext_lazy("outcome button", "Declined…"),
    "not_presented": pgettext_lazy("outcome button", "Not presented…"),
    "undo": pgettext_lazy("outcome button", "Undo"),
}


def outcome_keys() -> dict[str, str]:
    """The key of each outcome button (and of Undo) in the active language, upper case."""
    return {
        "accepted": pgettext("outcome key", "A"),
        "later": pgettext("outcome key", "L"),
        "declined": pgettext("outcome key", "D"),
        "not_presented": pgettext("outcome key", "N"),
        "undo": pgettext("outcome key", "U"),
    }
