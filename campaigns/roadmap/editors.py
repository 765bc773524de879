"""Which channels' roadmap items a user may update: CVM centrally, channel teams their own.

CVM managers and administrators edit every item. Channel teams are known to the delivery side
and to training (team leads and their site's channel; digital team members and their digital
channels), which the CVM side never imports: each registers a function here when it starts,
as the training gate and the capacity source do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cvm_portal.roles import Role, roles_of

from .kinds import channels

CVM = (Role.CVM_MANAGER, Role.ADMINISTRATOR)
# Roles that may open the board; what they may change is decided per channel below.
BOARD_ROLES = (*CVM, Role.TEAM_LEAD, Role.DIGITAL_TEAM)

_sources: dict[str, Callable[[object], Iterable[str]]] = {}


def register_team_channels(name: str, kinds_of: Callable[[object], Iterable[str]]) -> None:
    """Add a source of "the channels this user's team works on" (idempotent per ``name``)."""
    _sources[name] = kinds_of


def is_cvm(user) -> bool:
    return bool(roles_of(user) & set(CVM))


def team_channels(user) -> set[str]:
    """The channels whose items ``user`` updates as a member of a channel team."""
    found: set[str] = set()
    for kinds_of in _sources.values():
        found.update(kinds_of(user))
    return found


def editable_channels(user) -> set[str]:
    """Every channel whose items ``user`` may update (status, target date, notes)."""
    if is_cvm(user):
        return {code for code, _label in channels()}
    return team_channels(user)


def may_update(user, item) -> bool:
    return item.channel_kind in editable_channels(user)
