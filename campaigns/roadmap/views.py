"""The roadmap board's pages: the grid, its CSV, and the update of one item.

Who may use them: CVM managers and administrators (every item; initiatives and items are
created in the admin), team leads and digital team members (the board, and the status, target
date and notes of their own channels' items: ``editors``). Agents have no roadmap.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cvm_portal.roles import role_required

from ..loads.views import defuse
from ..models import RoadmapItem, RoadmapStatus
from .board import build_board
from .editors import BOARD_ROLES, editable_channels, is_cvm, may_update
from .forms import BoardFilterForm, ItemUpdateForm
from .kinds import channels, label
from .updates import update_item


def _board(request: HttpRequest):
    cvm = is_cvm(request.user)
    editable = editable_channels(request.user)
    form = BoardFilterForm(request.GET or None, team=not cvm and bool(editable))
    values = form.values()
    board = build_board(
        today=timezone.localdate(),
        status=values["status"],
        channel=values["channel"],
        only=editable if values["mine"] else None,
    )
    return form, board, editable, cvm


@require_GET
@role_required(*BOARD_ROLES)
def roadmap_board(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers, administrators, team leads, digital team members. The
    grid of initiatives × channels, filtered; each user's editable items carry an update link."""
    form, board, editable, cvm = _board(request)
    return render(
        request,
        "campaigns/roadmap/board.html",
        {
            "form": form,
            "board": board,
            "editable": editable,
            "is_cvm": cvm,
            "filtered": any(form.values().values()),
            "my_channels": ", ".join(label(c) for c, _l in channels() if c in editable),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "initiative", "owner", "starts_on", "ends_on", "campaigns", "channel", "channel_name",
    "work", "status", "target_date", "overdue", "notes", "updated_by", "updated_at",
]  # fmt: skip


@require_GET
@role_required(*BOARD_ROLES)
def roadmap_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: as the board. Every item the filtered board shows, one row each."""
    _form, board, _editable, _cvm = _board(request)
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()
    names = dict(board.columns)

    def lines():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(CSV_HEADER)
        for row in board.rows:
            initiative = row.initiative
            codes = " ".join(c.code for c in initiative.campaigns.all())
            for item in row.items:
                yield writer.writerow(
                    [
                        defuse(initiative.name),
                        defuse(initiative.owner.get_username()) if initiative.owner else "",
                        initiative.starts_on.isoformat(),
                        initiative.ends_on.isoformat(),
                        codes,
                        item.channel_kind,
                        defuse(names.get(item.channel_kind, item.channel_kind)),
                        defuse(item.work),
                        item.status,
                        item.target_date.isoformat() if item.target_date else "",
                        "yes" if item.overdue else "no",
                        defuse(item.notes),
                        defuse(item.updated_by.get_username()) if item.updated_by else "",
                        item.updated_at.astimezone(zone).isoformat(timespec="seconds"),
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()  # a machine date in the file name
    response["Content-Disposition"] = f'attachment; filename="roadmap-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*BOARD_ROLES)
def roadmap_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators for every item, a channel team for
    its own channels' items (403 for another channel's). Status, target date and notes."""
    item = get_object_or_404(RoadmapItem.objects.select_related("initiative", "updated_by"), pk=pk)
    if not may_update(request.user, item):
        raise PermissionDenied(_("Only the channel's team or CVM may update this item."))
    initial = {"status": item.status, "target_date": item.target_date, "notes": item.notes}
    form = ItemUpdateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        update_item(item=item, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(initiative)s · %(channel)s: saved as “%(status)s”.")
            % {
                "initiative": item.initiative.name,
                "channel": label(item.channel_kind),
                "status": RoadmapStatus(form.cleaned_data["status"]).label,
            },
        )
        return redirect(f"{reverse('campaigns:roadmap')}#item-{item.pk}")
    return render(
        request,
        "campaigns/roadmap/item.html",
        {
            "item": item,
            "channel_label": label(item.channel_kind),
            "form": form,
            "history": item.history.select_related("history_user")[:10],
            "is_cvm": is_cvm(request.user),
        },
        status=400 if form.errors else 200,
    )
