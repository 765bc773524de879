"""The campaign preview per channel, and the banner images it shows."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cvm_portal.audit import record_access
from cvm_portal.roles import Role, role_required

from ..banners import content_type_of
from ..models import Campaign, OfferContent
from .preview import SampleNotFound, preview_channels, sample_member


class SampleForm(forms.Form):
    """Which member to preview for: a customer id of the target group, or none (one is chosen)."""

    customer = forms.CharField(
        label=_("Customer id"),
        max_length=64,
        required=False,
        strip=True,
        help_text=_("A member of the target group; leave empty for one chosen for you."),
    )


def banner_url(content: OfferContent) -> str:
    return reverse("campaigns:banner_image", kwargs={"pk": content.pk})


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def campaign_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators (every campaign; campaigns are not
    scoped by site). Shows what each channel would show a sample member; writes nothing but
    the audit event of the member's data being shown."""
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SampleForm(request.GET or None)
    external_id = form.cleaned_data["customer"] if form.is_valid() else ""
    try:
        sample = sample_member(campaign, external_id=external_id)
    except SampleNotFound as exc:
        form.add_error("customer", exc.messages[0])
        sample = sample_member(campaign)
    channels = preview_channels(campaign, sample, image_url=banner_url)
    page = render(
        request,
        "campaigns/governance/preview.html",
        {"campaign": campaign, "form": form, "sample": sample, "channels": channels},
    )
    if not sample.example:
        # Audited once the page is built: the trail says whose data a manager saw.
        record_access(
            user=request.user,
            action="preview",
            obj=sample.customer,
            detail=f"campaign preview {campaign.code}",
        )
    return page


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def banner_image(request: HttpRequest, pk: int) -> HttpResponse:  # noqa: ARG001
    """Who may use it: CVM managers and administrators (the preview and the admin show it).

    Serves an offer's banner with the content type its first bytes prove (a file that is no
    longer an accepted image is a 404), never sniffed by the browser and sandboxed."""
    content = get_object_or_404(OfferContent, pk=pk)
    if not content.banner_image:
        raise Http404
    try:
        handle = content.banner_image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = content_type_of(handle)
    if content_type is None:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
