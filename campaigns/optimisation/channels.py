"""The channels the optimisation knows, in one place: today the channel kinds of
``campaigns.choices``; when channels become a registry, only these two functions change."""

from __future__ import annotations

from campaigns.choices import ChannelKind


def channel_codes() -> list[str]:
    """Every channel code, in the order the report shows them."""
    return list(ChannelKind.values)


def channel_label(code: str) -> str:
    """A channel's name for people; an unknown code is shown as it is."""
    try:
        return str(ChannelKind(code).label)
    except ValueError:
        return code


def channel_choices() -> list[tuple[str, str]]:
    """(code, name) of every channel, for a form's select."""
    return [(code, channel_label(code)) for code in channel_codes()]
