"""Tagging a contact as "calling about campaign X" from the console, in one click.

The tags feed the flood alerts (``campaigns.governance.floods``): when a campaign brings far more
contacts than expected (an error in its text, a price that is too good), CVM managers are told
with a link to the kill switch.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.governance.floods import tag_inquiry
from campaigns.models import Campaign, Customer
from channels.models.sites import profile_of
from cvm_portal.roles import Role, role_required

from .links import LinkExpired, NotYourLink, customer_id_from, customer_url

KEY = re.compile(r"^[0-9a-f]{32}$")


def _customer(request: HttpRequest, token: str) -> Customer | None:
    """The customer of the agent's own link, if one was sent and is still fresh."""
    if not token:
        return None
    try:
        return Customer.objects.filter(pk=customer_id_from(user=request.user, token=token)).first()
    except NotYourLink:
        raise Http404 from None
    except LinkExpired:
        return None


@require_POST
@role_required(Role.AGENT)
def tag(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents at a site, for campaigns live in their own channel kind (any
    other campaign: 400 with the reason). Safe to send twice (the form's one-time key)."""
    profile = profile_of(request.user)
    key = request.POST.get("key", "")
    if profile is None or not KEY.match(key):
        return HttpResponse(_("Reload the page and tap the campaign again."), status=400)
    campaign = get_object_or_404(Campaign, pk=_id(request.POST.get("campaign")))
    token = request.POST.get("token", "")
    customer = _customer(request, token)
    try:
        inquiry, _created = tag_inquiry(
            campaign=campaign,
            agent=request.user,
            site_id=profile.site_id,
            channel_kind=profile.channel_kind,
            customer=customer,
            key=key,
        )
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400)
    if request.htmx:
        return render(
            request,
            "channels/includes/campaign_inquiry_tagged.html",
            {"token": token, "tagged": inquiry},
        )
    messages.success(
        request,
        _("Noted: this contact is about %(code)s.") % {"code": inquiry.campaign.code},
    )
    if customer is not None:
        return redirect(customer_url(user=request.user, customer_id=customer.pk))
    return redirect("channels:console")


def _id(raw) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value
