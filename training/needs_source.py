"""What customers asked for, as the weekly sales digest needs it, answered by the channels app.

Agents' customer-need notes live on the delivery side (``channels.insights``); training never
imports it (campaigns <- training <- channels), so the channels app registers its function here
when it starts, as it registers its directory of sites and agents (``training.sites``). Until
then (the app is not installed) the digest has no needs section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NeedRow:
    """One need customers voiced in one channel kind in a period, for the digest."""

    channel_kind: str
    code: str
    label: str
    notes: int  # notes in the channel kind that name the need
    kind_notes: int  # every note written in the channel kind: the share's base
    quote: str = ""  # the latest masked note text naming it, or ""
    # {site id (str): [notes in the kind at the site, notes naming the need there]}
    sites: dict[str, list[int]] = field(default_factory=dict)


def _none(start: datetime, end: datetime) -> list[NeedRow]:  # noqa: ARG001 - the signature
    return []


_source: Callable[[datetime, datetime], list[NeedRow]] = _none


def register(source: Callable[[datetime, datetime], list[NeedRow]]) -> None:
    global _source
    _source = source


def top_needs(start: datetime, end: datetime) -> list[NeedRow]:
    """The most named needs per channel kind between ``start`` and ``end``, most named first
    within each kind."""
    return _source(start, end)
