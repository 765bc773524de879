"""The kill-switch page of the CVM workspace: the flood alerts, every live campaign, offer and
product with a "Stop" button and its reason, and the stops in force with "Resume".

Who may use it: CVM managers and administrators (campaigns are run centrally, not per site).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from cvm_portal.roles import Role, role_required

from ..choices import CampaignStatus
from ..models import Campaign, CampaignStop, FloodAlert, Offer, Product, StopScope
from .floods import acknowledge, open_alerts
from .kill_switch import REASON_MAX, open_stops, resume, stop

CVM = (Role.CVM_MANAGER, Role.ADMINISTRATOR)
TARGETS = {StopScope.CAMPAIGN: Campaign, StopScope.OFFER: Offer, StopScope.PRODUCT: Product}


class StopForm(forms.Form):
    """What to stop (a campaign, an offer's or a product's campaigns) and why."""

    scope = forms.ChoiceField(choices=StopScope.choices)
    target = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(
        max_length=REASON_MAX,
        strip=True,
        error_messages={
            "required": gettext_lazy(
                "Say why you stop it: agents, the team leads and the audit trail read it."
            ),
            "max_length": gettext_lazy("Keep the reason under %(limit_value)d characters."),
        },
    )


def _live_campaigns():
    return Campaign.objects.filter(status=CampaignStatus.LIVE)


@require_GET
@role_required(*CVM)
def kill_switch(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. ``?campaign=<id>`` puts that campaign's
    form first (the link of a flood alert)."""
    live = list(
        _live_campaigns()
        .prefetch_related(Prefetch("offers", queryset=Offer.objects.select_related("product")))
        .order_by("code")
    )
    offers: dict[int, tuple[Offer, list[str]]] = {}
    products: dict[int, tuple[Product, list[str]]] = {}
    for campaign in live:
        for offer in campaign.offers.all():
            offers.setdefault(offer.pk, (offer, []))[1].append(campaign.code)
            codes = products.setdefault(offer.product_id, (offer.product, []))[1]
            if campaign.code not in codes:
                codes.append(campaign.code)
    wanted = request.GET.get("campaign", "")
    focus = next((c for c in live if str(c.pk) == wanted), None)
    if wanted and focus is None:
        messages.info(request, _("That campaign is not live any more: there is nothing to stop."))
    return render(
        request,
        "campaigns/governance/kill_switch.html",
        {
            "focus": focus,
            "campaigns": [c for c in live if c is not focus],
            "offers": sorted(offers.values(), key=lambda row: row[0].code),
            "products": sorted(products.values(), key=lambda row: row[0].code),
            "alerts": open_alerts(),
            "stops": open_stops(),
            "reason_max": REASON_MAX,
            "scopes": StopScope,
        },
    )


@require_POST
@role_required(*CVM)
def stop_view(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Stops at once, in every channel."""
    form = StopForm(request.POST)
    back = reverse("campaigns:kill_switch")
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, first)
        return redirect(back)
    model = TARGETS[form.cleaned_data["scope"]]
    target = get_object_or_404(model, pk=form.cleaned_data["target"])
    try:
        record = stop(
            scope=form.cleaned_data["scope"],
            target=target,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(back)
    codes = ", ".join(c.code for c in record.campaigns.all())
    messages.success(
        request,
        ngettext(
            "Stopped in every channel: %(codes)s. %(leads)d waiting call-list lead withdrawn.",
            "Stopped in every channel: %(codes)s. %(leads)d waiting call-list leads withdrawn.",
            record.withdrawn_leads,
        )
        % {"codes": codes, "leads": record.withdrawn_leads},
    )
    return redirect(back)


@require_POST
@role_required(*CVM)
def resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Undoes a stop (withdrawn leads stay so)."""
    record = get_object_or_404(CampaignStop, pk=pk)
    try:
        resumed = resume(stop_record=record, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if resumed:
            messages.success(
                request,
                _("Live again: %(codes)s. Leads withdrawn by the stop stay withdrawn.")
                % {"codes": ", ".join(c.code for c in resumed)},
            )
        else:
            messages.info(request, _("Stop undone; none of its campaigns was still paused."))
    return redirect("campaigns:kill_switch")


@require_POST
@role_required(*CVM)
def acknowledge_alert(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. The alert leaves the workspace banner."""
    alert = get_object_or_404(FloodAlert, pk=pk)
    acknowledge(alert=alert, by=request.user)
    messages.success(request, _("Alert for %(code)s acknowledged.") % {"code": alert.campaign.code})
    back = request.POST.get("back", "")
    return redirect("campaigns:manager_home" if back == "home" else "campaigns:kill_switch")
