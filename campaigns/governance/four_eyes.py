"""The four-eyes rule: a campaign, or a revision of one, is approved only by a CVM manager who
neither wrote it nor changed its texts since it was submitted."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from cvm_portal.roles import Role, roles_of


def approval_refusal(
    user: AbstractBaseUser, *, author_id: int | None, editor_ids: Iterable[int]
) -> str | None:
    """Why ``user`` may not approve work written by ``author_id`` and changed since its
    submission by ``editor_ids``; None when they may."""
    if Role.CVM_MANAGER not in roles_of(user):
        return _("Only a CVM manager can approve campaigns.")
    if author_id is not None and user.pk == author_id:
        return _("You wrote this; another CVM manager must approve it (four eyes).")
    if user.pk in set(editor_ids):
        return _(
            "You changed its texts after it was submitted; another CVM manager must approve it "
            "(four eyes)."
        )
    return None
