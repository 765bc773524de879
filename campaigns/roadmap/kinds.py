"""The channels a roadmap is planned for, and their labels: the one place the board asks.

They are the channel registry's (``campaigns.channel_registry``): a channel an administrator
adds gets its column on the board at once; the codes stay strings everywhere else.
"""

from __future__ import annotations

from .. import channel_registry


def channels() -> list[tuple[str, str]]:
    """(code, label) of every channel a roadmap item may be for, in the order the board shows."""
    return channel_registry.choices()


def label(code: str) -> str:
    """The label of channel ``code``; the code itself for a channel no longer known."""
    return channel_registry.label(code)
