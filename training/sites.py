"""Sites and the people who work at them, as training needs to know them: the delivery side answers.

Training never imports the delivery side (campaigns <- training <- channels). The channels app
registers a ``Directory`` here when it starts, as training registers its gate with decisioning;
until one is registered (training installed alone) nobody works at a site, so nobody is
assigned a guide and no site has a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Post:
    """Where a person works and in which channel kind: what a guide's audience rule asks."""

    site_id: int
    channel_kind: str
    is_team_lead: bool = False


class Directory:
    """What training asks about sites and people; this one knows of none."""

    def post_of(self, user) -> Post | None:  # noqa: ARG002 - the interface the delivery side fills in
        """Where ``user`` works, or None if they work at no site."""
        return None

    def people(
        self,
        *,
        channel_kinds: Iterable[str] = (),  # noqa: ARG002 - the interface the delivery side fills in
        site_ids: Iterable[int] = (),  # noqa: ARG002
    ) -> dict[int, Post]:
        """{user id: post} of the active people at a site, limited to these kinds and sites when given."""
        return {}

    def channel_kinds(self, user_ids: Iterable[int]) -> dict[int, str]:  # noqa: ARG002
        """{user id: channel kind} of (at least) those of ``user_ids`` who work at a site."""
        return {}

    def site_names(self, *, active_only: bool = False) -> dict[int, str]:  # noqa: ARG002
        """{site id: name}, in the order of the names."""
        return {}


_directory = Directory()


def register_directory(directory: Directory) -> None:
    global _directory
    _directory = directory


def directory() -> Directory:
    """The registered directory (the delivery side's, once it has started)."""
    return _directory
