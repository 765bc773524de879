"""The channels a roadmap is planned for, and their labels: the one place the board asks.

Today the fixed channel kinds of ``campaigns.choices``; when channels become a registry that
administrators extend, only ``channels()`` changes (the codes stay strings everywhere else).
"""

from __future__ import annotations

from ..choices import ChannelKind


def channels() -> list[tuple[str, str]]:
    """(code, label) of every channel a roadmap item may be for, in the order the board shows."""
    return [(kind.value, str(kind.label)) for kind in ChannelKind]


def label(code: str) -> str:
    """The label of channel ``code``; the code itself for a channel no longer known."""
    return dict(channels()).get(code, code)
