"""The channels the optimisation knows, in one place: the channel registry
(``campaigns.channel_registry``), so a channel an administrator adds is in the report at once."""

from __future__ import annotations

from campaigns import channel_registry


def channel_codes() -> list[str]:
    """Every channel code, in the order the report shows them (the registry's)."""
    return channel_registry.codes()


def channel_label(code: str) -> str:
    """A channel's name for people; an unknown code is shown as it is."""
    return channel_registry.label(code)


def channel_choices() -> list[tuple[str, str]]:
    """(code, name) of every channel, for a form's select."""
    return [(code, channel_label(code)) for code in channel_codes()]
