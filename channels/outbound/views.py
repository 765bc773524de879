"""The outbound agent screen and the call-list figures. Each view says who may use it."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from campaigns.choices import OUTBOUND_CHANNEL_KINDS, FeedbackReason, NotPresentedReason
from campaigns.models import (
    Campaign,
    DeclineReason,
    OfferContent,
    OfferFeedback,
    Presentation,
    Response,
)
from campaigns.responses import seconds_to_undo
from channels.choices import Disposition, SiteKind
from channels.models.outbound import CallAttempt, CallList, Lead
from channels.models.sites import AgentProfile, Site, profile_of
from channels.outbound import confirmations, dialling
from channels.outbound.agenda import calls_left, my_callbacks
from channels.outbound.claiming import current_lead, next_lead
from channels.outbound.dialling import record_attempt, record_lead_outcome, todays_counters
from channels.outbound.figures import agency_earnings, list_figures
from channels.outbound.hours import callback_moment
from channels.outcomes import outcome_view, shown_to
from channels.tasks import build_call_lists_task
from cvm_portal.audit import record_access
from cvm_portal.broker import QueueUnavailable, enqueue
from cvm_portal.roles import Role, role_required, roles_of


class AttemptForm(forms.Form):
    disposition = forms.ChoiceField(
        choices=Disposition.choices,
        error_messages={"required": gettext_lazy("Choose what happened on the call.")},
    )
    callback_at = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": gettext_lazy("Give the callback date and time.")},
    )
    callback_personal = forms.BooleanField(required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean(self):
        data = super().clean()
        if data.get("disposition") == Disposition.CALLBACK:
            when = data.get("callback_at")
            if when is None:
                if "callback_at" not in self.errors:
                    self.add_error("callback_at", _("Choose when to call back."))
                return data
            # The field made it aware in the server's zone; the agent typed the site's local time.
            naive = timezone.make_naive(when) if timezone.is_aware(when) else when
            try:
                data["callback_at"] = callback_moment(self.site, naive)
            except ValidationError as exc:
                self.add_error("callback_at", exc.messages[0])
        return data


def outbound_profile(request) -> AgentProfile | None:
    """The agent's profile when they work outbound call lists (calls or field), else None."""
    profile = profile_of(request.user)
    if profile is not None and profile.channel_kind in OUTBOUND_CHANNEL_KINDS:
        return profile
    return None


def _my_lead(request, pk: int) -> Lead:
    """The lead on this agent's screen; anyone else's is a 404, whatever the id."""
    lead = get_object_or_404(
        Lead.objects.select_related("call_list__site", "call_list__campaign", "customer"),
        pk=pk,
        assigned_to=request.user,
    )
    return lead


def call_of(presentation: Presentation) -> Lead:
    """The call (lead) on which ``presentation`` was shown; an offer shown elsewhere is a 404."""
    lead = (
        Lead.objects.filter(decision_id=presentation.decision_id)
        .select_related("customer", "call_list")
        .first()
    )
    if lead is None:
        raise Http404
    return lead


@dataclass
class OfferOnCall:
    """One offer shown on the call, as its card shows it."""

    presentation: Presentation
    content: OfferContent | None
    response: Response | None
    recorded: str  # the confirmation of its outcome, if one is recorded
    undo_seconds: int


@require_GET
@role_required(Role.AGENT)
def screen(request: HttpRequest) -> HttpResponse:
    """Who may use it: outbound and field agents (and their team leads). Their own site only:
    the lead they hold (with offers, script and attempts), or the "next customer" button; the
    day's figures and their own callbacks either way."""
    return render(request, "channels/outbound.html", _screen_context(request))


def today_context(agent, profile: AgentProfile) -> dict:
    """The figures at the top of the screen: the agent's calls today, and the calls left."""
    return {
        "counters": todays_counters(agent=agent, site=profile.site),
        "calls_left": calls_left(profile=profile),
    }


def _screen_context(request, **extra) -> dict:
    profile = outbound_profile(request)
    context = {
        "profile": profile_of(request.user),
        "outbound": profile,
        "campaigns": Campaign.objects.shown_to_agents(OUTBOUND_CHANNEL_KINDS),
    }
    if profile is None:
        return {**context, **extra}
    site = profile.site
    lead = current_lead(request.user)
    context.update(
        site=site,
        lead=lead,
        is_lead=Role.TEAM_LEAD in roles_of(request.user),
        callbacks=my_callbacks(agent=request.user, site=site),
        **today_context(request.user, profile),
    )
    if lead is not None:
        record_access(user=request.user, action="view", obj=lead.customer, detail="outbound")
        context.update(_lead_context(lead, profile, request.user))
    else:
        context["my_feedback"] = OfferFeedback.objects.filter(agent=request.user).select_related(
            "offer"
        )[:5]
    return {**context, **extra}


def _lead_context(lead: Lead, profile: AgentProfile, agent) -> dict:
    campaign = lead.call_list.campaign
    offer_ids = (
        [lead.offer_id]
        if lead.offer_id
        else list(campaign.offers.values_list("pk", flat=True).order_by("code")[:3])
    )
    scripts = list(
        OfferContent.objects.filter(
            offer_id__in=offer_ids, channel_kind=profile.channel_kind
        ).select_related("offer")
    )
    attempts = (
        CallAttempt.objects.filter(lead__customer=lead.customer, site=profile.site)
        .select_related("agent")
        .order_by("-at")[:10]
    )
    offers = []
    if lead.decision_id:
        shown = list(
            Presentation.objects.filter(decision_id=lead.decision_id, held_out=False)
            .select_related("offer")
            .order_by("rank")
        )
        contents = {
            c.offer_id: c
            for c in OfferContent.objects.filter(
                offer__in=[p.offer_id for p in shown], channel_kind=profile.channel_kind
            )
        }
        recorded = {
            r.presentation_id: r
            for r in Response.objects.filter(presentation__in=shown).select_related(
                "decline_reason"
            )
        }
        now = timezone.now()
        for p in shown:
            response = recorded.get(p.pk)
            offers.append(
                OfferOnCall(
                    presentation=p,
                    content=contents.get(p.offer_id),
                    response=response,
                    recorded=confirmations.outcome_recorded(
                        response, offer_title=p.offer.title, customer=lead.customer
                    )
                    if response
                    else "",
                    undo_seconds=seconds_to_undo(response, agent, now),
                )
            )
    local_now = timezone.localtime(timezone.now(), profile.site.zone)
    return {
        "campaign": campaign,
        "scripts": scripts,
        "attempts": attempts,
        "offers": offers,
        "decline_reasons": DeclineReason.objects.filter(is_active=True),
        "not_presented_reasons": NotPresentedReason.choices,
        "feedback_reasons": FeedbackReason.choices,
        "dispositions": [
            (value, label)
            for value, label in Disposition.choices
            if value not in (Disposition.CALLBACK,)
        ],
        "callback_min": local_now.strftime("%Y-%m-%dT%H:%M"),
        "reached": lead.disposition == Disposition.REACHED,
    }


@require_POST
@role_required(Role.AGENT)
def next_customer(request: HttpRequest) -> HttpResponse:
    """Who may use it: outbound and field agents. Hands them exactly one lead of their site's
    lists for today (a due callback first), re-checked against the contact policy."""
    if outbound_profile(request) is None:
        raise Http404
    result = next_lead(agent=request.user)
    if result.skipped:
        messages.info(
            request,
            ngettext(
                "%(n)d customer skipped by the contact policy: %(reasons)s",
                "%(n)d customers skipped by the contact policy: %(reasons)s",
                len(result.skipped),
            )
            % {
                "n": len(result.skipped),
                "reasons": "; ".join(sorted({lead.skip_reason for lead in result.skipped})),
            },
        )
    if result.lead is None:
        messages.warning(request, result.message)
    return redirect("channels:outbound")


@require_POST
@role_required(Role.AGENT)
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent holding the lead. Logs the call and what happened, and says
    what was recorded for whom and what comes next."""
    profile = outbound_profile(request)
    if profile is None:
        raise Http404
    lead = get_object_or_404(
        Lead.objects.select_related("call_list__site"),
        pk=pk,
        call_list__site=profile.site,
    )
    if (
        lead.assigned_to_id != request.user.pk
        and not CallAttempt.objects.filter(lead=lead, agent=request.user).exists()
    ):
        raise Http404
    form = AttemptForm(request.POST, site=lead.call_list.site)
    if form.is_valid():
        try:
            logged = record_attempt(
                lead=lead,
                agent=request.user,
                disposition=form.cleaned_data["disposition"],
                callback_at=form.cleaned_data.get("callback_at"),
                callback_personal=form.cleaned_data["callback_personal"],
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, confirmations.attempt_recorded(logged))
            return redirect("channels:outbound")
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return render(
            request,
            "channels/outbound.html",
            _screen_context(request, attempt_errors=errors, attempt_form=form),
            status=422,
        )
    return redirect("channels:outbound")


@require_POST
@role_required(Role.AGENT)
def wrap_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent holding the lead. Closes the reached call, says what it left on
    record, and hands out the next customer."""
    lead = _my_lead(request, pk)
    try:
        lead = dialling.wrap_up(lead=lead, agent=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("channels:outbound")
    outcomes = (
        Response.objects.filter(presentation__decision_id=lead.decision_id)
        .select_related("offer")
        .order_by("presentation__rank")
    )
    messages.success(request, confirmations.wrapped_up(lead, list(outcomes)))
    return next_customer(request)


@require_POST
@role_required(Role.AGENT)
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent the offer was shown to on a call. The console's outcome service
    (through the lead's, which notes a conversion): recorded once however often it is sent; htmx
    gets the card's outcome back, with Undo while it may be undone."""
    presentation = shown_to(request, pk)
    lead = call_of(presentation)

    def said(response: Response | None) -> str:
        if response is None:
            return ""
        return confirmations.outcome_recorded(
            response, offer_title=presentation.offer.title, customer=lead.customer
        )

    def back(response: Response | None, error: str | None) -> HttpResponse:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, said(response))
        return redirect("channels:outbound")

    return outcome_view(
        request,
        record=functools.partial(
            record_lead_outcome, lead=lead, presentation=presentation, agent=request.user
        ),
        card=lambda response, error: offer_outcome(
            request,
            presentation=presentation,
            response=response,
            error=error,
            message=said(response),
        ),
        back=back,
    )


def offer_outcome(
    request: HttpRequest,
    *,
    presentation: Presentation,
    response: Response | None = None,
    error: str | None = None,
    message: str = "",
) -> HttpResponse:
    """For htmx: the outcome part of an offer's card — what was recorded (with Undo while it may
    be undone) or the outcome buttons — with its confirmation or error (422), and the day's
    figures at the top of the screen, out of band."""
    profile = outbound_profile(request)
    context = {
        "p": presentation,
        "response": response,
        "error": error,
        "message": message,
        "undo_seconds": seconds_to_undo(response, request.user),
        "decline_reasons": DeclineReason.objects.filter(is_active=True),
        "not_presented_reasons": NotPresentedReason.choices,
        "today_oob": profile is not None,
    }
    if profile is not None:
        context.update(today_context(request.user, profile))
    return render(
        request,
        "channels/includes/outbound_outcome_result.html",
        context,
        status=200 if error is None else 422,
    )


# --- Team leads and CVM managers ---------------------------------------------------------


class DayForm(forms.Form):
    day = forms.DateField(
        required=False, error_messages={"invalid": gettext_lazy("Give a date as YYYY-MM-DD.")}
    )


def _lists_for(request) -> tuple[object, date, DayForm]:
    form = DayForm(request.GET)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    lists = (
        CallList.objects.visible_to(request.user)
        .filter(day=day)
        .order_by("site__name", "-campaign__priority_weight", "campaign__code")
    )
    return lists, day, form


@require_GET
@role_required(Role.TEAM_LEAD, Role.CVM_MANAGER, Role.ADMINISTRATOR)
def call_lists(request: HttpRequest) -> HttpResponse:
    """Who may use it: team leads (their own site's lists), CVM managers and administrators (all).
    Per list: size, remaining, attempted, reached, converted, rates, per agent; lists at risk."""
    lists, day, form = _lists_for(request)
    figures = list_figures(lists)
    sites: dict[int, dict] = {}
    for f in figures:
        s = sites.setdefault(
            f.call_list.site_id,
            {"site": f.call_list.site, "lists": [], "size": 0, "remaining": 0, "reached": 0,
             "converted": 0, "attempted": 0},
        )  # fmt: skip
        s["lists"].append(f)
        for key in ("size", "remaining", "reached", "converted", "attempted"):
            s[key] += getattr(f, key)
    earnings = []
    profile = profile_of(request.user)
    held = roles_of(request.user)
    if profile is not None and profile.site.kind == SiteKind.AGENCY and Role.TEAM_LEAD in held:
        earnings = agency_earnings(site=profile.site)
    return render(
        request,
        "channels/call_lists.html",
        {
            "sites": list(sites.values()),
            "day": day,
            "form": form,
            "earnings": earnings,
            "earnings_site": profile.site if earnings else None,
            "may_build": bool(held & {Role.CVM_MANAGER, Role.ADMINISTRATOR}),
        },
    )


@require_GET
@role_required(Role.TEAM_LEAD, Role.CVM_MANAGER, Role.ADMINISTRATOR)
def call_lists_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: as call_lists. The same figures as CSV, one row per list and per agent."""
    lists, day, _form = _lists_for(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="call-lists-{day.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["day", "site", "campaign", "agent", "size", "remaining", "calls", "attempted",
         "reached", "converted", "contact_rate", "conversion_rate", "at_risk", "skipped",
         "expired", "withdrawn"]
    )  # fmt: skip
    for f in list_figures(lists):
        c = f.call_list
        writer.writerow(
            [c.day, c.site.code, c.campaign.code, "", f.size, f.remaining, f.calls, f.attempted,
             f.reached, f.converted, _rate(f.contact_rate), _rate(f.conversion_rate),
             "yes" if f.at_risk else "no", f.skipped, f.expired, f.withdrawn]
        )  # fmt: skip
        for a in f.agents:
            writer.writerow(
                [c.day, c.site.code, c.campaign.code, a["agent__username"] or "", "", "",
                 a["calls"], "", a["reached"], a["converted"], "", "", "", "", "", ""]
            )  # fmt: skip
    return response


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@require_POST
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def build_lists(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Builds today's lists that are missing
    (a target group loaded late, a share just added); lists already built are kept."""

    try:
        enqueue(build_call_lists_task, kwargs={"started_by": request.user.get_username()})
    except QueueUnavailable:
        messages.error(
            request,
            _(
                "Today's call lists could not be started: the task queue (Redis) is not "
                "answering. Try again in a few minutes."
            ),
        )
    else:
        messages.success(
            request, _("Today's call lists are being built; lists already built are kept.")
        )
    return redirect("channels:call_lists")
