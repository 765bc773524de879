"""The research queue page: a week's sampled call recordings per campaign and outcome, for CVM
managers to listen to (in the telephony system), tag with customer needs, rate and note."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.choices import Outcome
from campaigns.models import Campaign, DeclineReason, NeedTag
from channels.models import NOTE_MAX_LENGTH, ResearchItem
from cvm_portal.audit import access
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role, role_required

from . import research
from .forms import RATINGS, ReviewForm


def _selection(params) -> dict:
    """The week, campaign and "unreviewed only" a request asks for, checked."""
    weeks = research.weeks()
    try:
        week = date.fromisoformat(params.get("week", ""))
    except ValueError:
        week = None  # none asked for, or not a date: the newest week
    if week not in weeks:
        week = weeks[0] if weeks else research.last_week()
    campaign_id = params.get("campaign", "")
    campaign_id = int(campaign_id) if campaign_id.isdigit() and len(campaign_id) < 19 else None
    return {
        "weeks": weeks,
        "week": week,
        "campaign_id": campaign_id,
        "unreviewed": params.get("unreviewed") == "1",
    }


def _query(selection: dict) -> str:
    wanted = {"week": selection["week"].isoformat()}
    if selection["campaign_id"]:
        wanted["campaign"] = selection["campaign_id"]
    if selection["unreviewed"]:
        wanted["unreviewed"] = "1"
    return urlencode(wanted)


def _stratum_label(stratum: str, reasons: dict[str, str]) -> str:
    if stratum == research.ACCEPTED:
        return _("Accepted")
    if stratum.startswith(research.DECLINED):
        code = stratum.removeprefix(research.DECLINED)
        return _("Declined: %(reason)s") % {"reason": reasons.get(code, code)}
    return _("Other outcomes: later, not presented or none recorded")


def _page(request: HttpRequest, selection: dict, *, failed=None, status: int = 200):
    """The queue page; ``failed`` is (item id, bound form) of a review that did not save."""
    week = selection["week"]
    of_week = research.queue(week=week)
    campaigns = Campaign.objects.filter(pk__in=of_week.values("campaign_id")).order_by("code")
    items = research.queue(week=week, campaign_id=selection["campaign_id"])
    figures = research.progress(items)
    if selection["unreviewed"]:
        items = items.filter(reviewed_at__isnull=True)
    items = list(items)
    reasons = dict(DeclineReason.objects.values_list("code", "label"))
    groups: dict = defaultdict(lambda: defaultdict(list))
    for item in items:
        recording = item.recording
        contact = recording.call_attempt or recording.decision
        item.prefix = f"r{item.pk}"  # the review form's field names and ids
        item.agent = contact.agent if contact is not None else None
        item.minutes, item.seconds = divmod(recording.duration_s, 60)
        item.outcome_label = Outcome(recording.outcome).label if recording.outcome else ""
        item.selected = {tag.pk for tag in item.tags.all()}
        item.form_rating, item.form_note, item.errors = item.rating, item.note, {}
        if failed is not None and failed[0] == item.pk:
            form = failed[1]
            item.selected = {
                int(v) for v in form.data.getlist(f"{form.prefix}-tags") if v.isdigit()
            }
            item.form_rating = form.data.get(f"{form.prefix}-rating", "")
            item.form_rating = int(item.form_rating) if item.form_rating.isdigit() else None
            item.form_note = form.data.get(f"{form.prefix}-note", "")
            item.errors = form.errors
        groups[item.campaign][item.stratum].append(item)
    sections = [
        {
            "campaign": campaign,
            "strata": [
                {
                    "label": _stratum_label(stratum, reasons),
                    "items": shown,
                    "reviewed": sum(1 for i in shown if i.reviewed_at),
                }
                for stratum, shown in sorted(strata.items())
            ],
        }
        for campaign, strata in groups.items()
    ]
    # The customers whose calls the page shows: one audit row each, written once it is built.
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                **access(
                    user=request.user,
                    action="research_queue",
                    obj=item.recording.customer,
                    detail=f"week {week.isoformat()}, recording {item.recording_id}",
                )
            )
            for item in items
        ]
    )
    return render(
        request,
        "channels/research_queue.html",
        {
            **selection,
            "week_ends": week + timedelta(days=6),
            "campaigns": campaigns,
            "sections": sections,
            "figures": figures,
            "need_tags": list(NeedTag.objects.filter(is_active=True)),
            "ratings": [n for n, _label in RATINGS],
            "note_max": NOTE_MAX_LENGTH,
            "query": _query(selection),
        },
        status=status,
    )


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def research_queue(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators (others: 403). A week's research queue,
    per campaign and outcome, with how many are reviewed; filters by campaign and unreviewed.
    Each customer shown is audited."""
    return _page(request, _selection(request.GET))


@require_POST
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def review_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Saves the review of one item (needs,
    rating, masked finding), then back to the queue where it was; a form error shows there."""
    item = get_object_or_404(ResearchItem, pk=pk)
    selection = _selection(request.POST)
    form = ReviewForm(request.POST, prefix=f"r{item.pk}")
    if not form.is_valid():
        return _page(request, selection, failed=(item.pk, form), status=422)
    research.review(
        item=item,
        tags=list(form.cleaned_data["tags"]),
        rating=form.cleaned_data["rating"],
        note=form.cleaned_data["note"],
        by=request.user,
    )
    messages.success(request, _("Review saved."))
    return redirect(f"{reverse('channels:research_queue')}?{_query(selection)}#item-{item.pk}")
