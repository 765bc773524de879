"""The capacity calendar page. Each view says who may use it."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cvm_portal.roles import Role, role_required

from .calendar import planned_campaigns
from .forecast import Forecasts
from .weekly import grid, monday_of

MAX_WEEKS = 12
# The overloaded hour bands listed under the calendar; the calendar itself shows them all.
LISTED = 60


class WindowForm(forms.Form):
    """Which weeks the calendar shows."""

    start = forms.DateField(label=_("From the week of"), required=False)
    weeks = forms.IntegerField(
        label=_("Weeks"),
        min_value=1,
        max_value=MAX_WEEKS,
        required=False,
        error_messages={
            "min_value": _("Show at least one week."),
            "max_value": _("Show at most %(limit_value)s weeks."),
        },
    )


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def capacity_calendar(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators (every site). Forecast load against
    capacity per week, site and channel kind, naming the campaigns behind each overload."""
    form = WindowForm(request.GET or None)
    start, weeks = timezone.localdate(), 8
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        weeks = form.cleaned_data["weeks"] or weeks
    starts, rows, over = grid(start, weeks)
    first, last = starts[0], starts[-1] + timedelta(days=6)
    campaigns = planned_campaigns(first, last)
    batch = Forecasts(campaigns)
    forecasts = [fc for campaign in campaigns for fc in batch.all_of(campaign)]
    return render(
        request,
        "channels/capacity/calendar.html",
        {
            "form": form,
            "starts": starts,
            "rows": rows,
            "overloads": over[:LISTED],
            "overload_count": len(over),
            "forecasts": forecasts,
            "previous": monday_of(first - timedelta(weeks=weeks)),
            "next": monday_of(last + timedelta(days=1)),
            "weeks": weeks,
        },
    )
