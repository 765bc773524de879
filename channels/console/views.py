"""The agent console: find the customer, see the next-best-offers, record outcomes in one click."""

import functools
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaigns import catalogue
from campaigns.choices import (
    ChannelKind,
    Exclusion,
    FeedbackReason,
    NotPresentedReason,
)
from campaigns.decisioning import decide
from campaigns.feedback import send_feedback
from campaigns.lookup import LookupRefused, look_up_customer
from campaigns.models import (
    Campaign,
    Customer,
    OfferFeedback,
    Presentation,
    Product,
    Response,
)
from campaigns.responses import record_outcome
from campaigns.why_not import why_not
from channels.models.sites import profile_of
from cvm_portal.audit import record_access
from cvm_portal.roles import Role, role_required
from training.gating import guides_to_complete

from ..bonus.arithmetic import would_earn
from ..handover.views import banner_for
from ..outcomes import outcome_view, shown_to
from .forms import FeedbackForm, FindForm
from .links import LinkExpired, NotYourLink, customer_id_from, customer_url
from .result import back_to_customer, outcome_card, recorded_message


@require_GET
@role_required(Role.AGENT)
def console(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents (store staff and inbound call-centre agents). Their own site only."""
    return render(request, "channels/console.html", console_context(request))


def console_context(request: HttpRequest) -> dict:
    profile = profile_of(request.user)
    kind = profile.channel_kind if profile else ChannelKind.STORE
    my_feedback = OfferFeedback.objects.filter(agent=request.user).select_related("offer")[:10]
    return {
        "profile": profile,
        "campaigns": Campaign.objects.shown_to_agents([kind]),
        "form": FindForm(),
        "my_feedback": my_feedback,
    }


def _kind(request) -> str:
    profile = profile_of(request.user)
    return profile.channel_kind if profile else ChannelKind.STORE


@require_POST
@role_required(Role.AGENT)
def find(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents. POST only, so a phone number never lands in a URL or access log.

    Every look-up is counted and audited, found or not; the customer's page is then reached
    by a link made for this agent alone (``links.customer_url``)."""
    form = FindForm(request.POST)
    error = _("Type the customer's phone number or customer id.")
    status = 200
    if form.is_valid():
        try:
            customer = look_up_customer(
                user=request.user, query=form.cleaned_data["q"], where="console"
            )
        except LookupRefused as exc:
            error, status = exc.messages[0], 429
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return redirect(customer_url(user=request.user, customer_id=customer.pk))
    return render(
        request,
        "channels/console.html",
        {**console_context(request), "form": form, "find_error": error},
        status=status,
    )


def _linked_customer(request: HttpRequest, token: str) -> Customer | None:
    """The customer of the agent's link ``token``: 404 if it is not this agent's link, None
    (with a message) when it has expired."""
    try:
        customer_id = customer_id_from(user=request.user, token=token)
    except NotYourLink:
        raise Http404 from None
    except LinkExpired:
        messages.info(request, _("The link to this customer has expired. Find them again."))
        return None
    return get_object_or_404(Customer, pk=customer_id)


@require_GET
@role_required(Role.AGENT)
def customer_page(request: HttpRequest, token: str) -> HttpResponse:
    """Who may use it: the agent whose look-up made ``token`` (any other: 404), while it is
    fresh. The customer, their next-best-offers and history. One contact, one decision: the
    agent's decision for this customer within CVM_CONTACT_WINDOW_MINUTES is shown again
    (with the outcomes recorded on it) rather than a new one; "Refresh offers" decides anew."""
    customer = _linked_customer(request, token)
    if customer is None:
        return redirect("channels:console")
    profile = profile_of(request.user)
    window = settings.CVM_CONTACT_WINDOW_MINUTES
    result = decide(
        customer=customer,
        channel_kind=_kind(request),
        agent=request.user,
        site_id=profile.site_id if profile else None,
        reuse_within=timedelta(minutes=window),
    )
    snapshot = catalogue.current()  # offer texts and decline reasons are held in memory
    kind = _kind(request)
    earnings = would_earn(profile=profile, candidates=result.offers)
    offers = [
        (c, snapshot.contents.get((c.offer.pk, kind)), earnings.get(c.offer.pk))
        for c in result.offers
    ]
    names = (
        dict(Product.objects.filter(code__in=customer.holdings).values_list("code", "name"))
        if customer.holdings
        else {}
    )
    holdings = [names.get(code, code) for code in customer.holdings]
    # Guides this agent has not completed yet, of the offers' campaigns and of the campaigns
    # held back until they are trained: one query.
    gated = {
        c.campaign.pk: c.campaign
        for c in result.excluded
        if c.excluded == Exclusion.TRAINING_REQUIRED
    }
    guides = guides_to_complete(
        user=request.user, campaign_ids={c.campaign.pk for c in result.offers} | set(gated)
    )
    history = (
        Response.objects.filter(customer=customer)
        .select_related("offer", "campaign", "decline_reason", "agent")
        .order_by("-recorded_at")[:20]
    )
    # The chatbot's hand-over this contact continues (?handover=<id>): shown on top, and kept
    # by "Refresh offers".
    handover = banner_for(request, customer)
    page = render(
        request,
        "channels/console_customer.html",
        {
            "customer": customer,
            "offers": offers,
            "result": result,
            "history": history,
            "holdings": holdings,
            "decline_reasons": snapshot.decline_reasons,
            "not_presented_reasons": NotPresentedReason.choices,
            "feedback_reasons": FeedbackReason.choices,
            "profile": profile,
            "guides_by_campaign": guides,
            "training_gated": [(campaign, guides.get(pk, [])) for pk, campaign in gated.items()],
            "recorded": result.recorded,  # presentation id → its outcome (a reused decision)
            "why_not": why_not(result, leave_out=[Exclusion.TRAINING_REQUIRED]),
            "refresh_url": reverse("channels:console_refresh", kwargs={"token": token})
            + (f"?handover={handover.pk}" if handover else ""),
            "contact_window": window,
            "handover": handover,
        },
    )
    # Audited once the page is built: a decision or page that fails showed the agent nothing.
    record_access(user=request.user, action="view", obj=customer, detail="console")
    return page


@require_POST
@role_required(Role.AGENT)
def refresh(request: HttpRequest, token: str) -> HttpResponse:
    """Who may use it: the agent whose look-up made ``token`` (any other: 404), while it is
    fresh. Decides the customer's offers anew (a new contact, on purpose) and shows them."""
    customer = _linked_customer(request, token)
    if customer is None:
        return redirect("channels:console")
    profile = profile_of(request.user)
    decide(
        customer=customer,
        channel_kind=_kind(request),
        agent=request.user,
        site_id=profile.site_id if profile else None,
    )
    messages.success(request, _("New offers decided."))
    # The page shows the decision just made: the agent's latest within the contact window.
    url = customer_url(user=request.user, customer_id=customer.pk)
    if _handover_id(request) is not None:  # the chatbot's hand-over stays on top
        url += f"?handover={_handover_id(request)}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _handover_id(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get("handover", ""))
    except ValueError:
        return None


@require_POST
@role_required(Role.AGENT)
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent the offer was shown to. Records once; htmx gets the card back
    (the outcome, with Undo for CVM_UNDO_SECONDS) and the customer's History, updated."""
    presentation = shown_to(request, pk)
    profile = profile_of(request.user)
    customer_id = presentation.decision.customer_id
    return outcome_view(
        request,
        record=functools.partial(
            record_outcome,
            presentation=presentation,
            agent=request.user,
            site_id=profile.site_id if profile else None,
        ),
        card=lambda response, error: outcome_card(
            request, presentation=presentation, response=response, error=error
        ),
        # The agent was shown this customer's offer: their page again, by a fresh link.
        back=lambda response, error: back_to_customer(
            request,
            customer_id=customer_id,
            error=error,
            done=recorded_message(response) if response else "",
        ),
    )


@require_GET
@role_required(Role.AGENT)
def screen_pop(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents. Telephony opens /console/pop/#<caller number>; the page posts the
    number (it never reaches the server in a URL) and lands on the customer. A number in the
    query (?phone=…) is not used: the page says how to call it instead (400). A chatbot
    hand-over's id may travel in the query: ?handover=<id> opens that hand-over."""
    if list(request.GET) == ["handover"]:
        try:
            handover_id = uuid.UUID(request.GET["handover"])
        except ValueError:
            raise Http404 from None
        return redirect("channels:handover", pk=handover_id)
    if request.GET:
        # Nothing on the page (the language switch's return address) may carry the number on.
        request.META["QUERY_STRING"] = ""
        return render(request, "channels/screen_pop.html", {"unsupported": True}, status=400)
    return render(request, "channels/screen_pop.html")


@require_POST
@role_required(Role.AGENT)
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent the offer was shown to. Sends feedback on the offer to CVM."""
    presentation = get_object_or_404(
        Presentation.objects.select_related("decision"), pk=pk, held_out=False
    )
    if presentation.decision.agent_id != request.user.pk:
        raise Http404
    form = FeedbackForm(request.POST)
    error, sent = None, None
    if form.is_valid():
        profile = profile_of(request.user)
        try:
            sent = send_feedback(
                presentation=presentation,
                agent=request.user,
                useful=form.cleaned_data["useful"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
                site_id=profile.site_id if profile else None,
            )
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = _("Say whether the offer was useful.")
    if request.htmx:
        return render(
            request,
            "channels/includes/feedback_result.html",
            {"sent": sent, "error": error},
            status=200 if sent else 422,
        )
    # The agent was shown this customer's offer: their page again, by a fresh link.
    return redirect(customer_url(user=request.user, customer_id=presentation.decision.customer_id))
