"""Template helpers of the agent console."""

from django import template

from campaigns.responses import seconds_to_undo
from channels.console.keys import outcome_keys as _outcome_keys

register = template.Library()


@register.filter
def response_for(recorded: dict | None, presentation_id: int):
    """The outcome already recorded on a presentation (the page's ``recorded``), or None."""
    return (recorded or {}).get(presentation_id)


@register.filter
def undo_left(response, user) -> int:
    """Whole seconds ``user`` has left to undo ``response`` (0: no Undo button)."""
    return seconds_to_undo(response, user)


@register.simple_tag
def outcome_keys() -> dict[str, str]:
    """The outcome keys in the agent's language: ``{% outcome_keys as keys %}``, ``keys.accepted``."""
    return _outcome_keys()
