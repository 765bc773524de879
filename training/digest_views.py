"""Pages of the weekly sales digest: the list, one digest (with the trainer's review form while it
is a draft), and the actions that save the review, publish and draft last week's digest."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cvm_portal.roles import Role, role_required, roles_of

from . import digest as digests
from .forms import DigestReviewForm
from .models import WeeklyDigest
from .sites import directory
from .tasks import build_weekly_digest_task

REVIEWERS = (Role.TRAINER, Role.CVM_MANAGER, Role.ADMINISTRATOR)
READERS = (*REVIEWERS, Role.TEAM_LEAD, Role.AGENT)


def _reviews(request: HttpRequest) -> bool:
    return bool(roles_of(request.user) & set(REVIEWERS))


def _visible(request: HttpRequest):
    """Reviewers see drafts too; everyone else only what has gone out."""
    return WeeklyDigest.objects.all() if _reviews(request) else WeeklyDigest.objects.published()


@require_GET
@role_required(*READERS)
def digest_list(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers and CVM managers (every digest, drafts too), team leads and
    agents (published digests). The weekly sales digests, newest first."""
    reviews = _reviews(request)
    week = digests.last_week()
    return render(
        request,
        "training/digest_list.html",
        {
            "digests": _visible(request).select_related("published_by")[:52],
            "reviews": reviews,
            "last_week_missing": reviews
            and not WeeklyDigest.objects.filter(week_start=week).exists(),
        },
    )


@require_GET
@role_required(*READERS)
def digest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers and CVM managers (drafts too, with the review form), team leads
    (published; their site's figures beside the company's) and agents (published; 404 for a
    draft). One week's top offers, scripts and objections per channel kind."""
    digest = get_object_or_404(
        _visible(request).select_related("commented_by", "published_by"), pk=pk
    )
    reviews = _reviews(request)
    post = directory().post_of(request.user)
    site_id = post.site_id if post and Role.TEAM_LEAD in roles_of(request.user) else None
    reviewing = reviews and not digest.is_published
    return render(
        request,
        "training/digest_detail.html",
        _detail_context(digest, reviews=reviews, site_id=site_id, post=post, reviewing=reviewing),
    )


def _detail_context(digest, *, reviews, site_id, post, reviewing, form=None) -> dict:
    return {
        "digest": digest,
        "sections": digests.sections(
            digest,
            include_hidden=reviews,
            site_id=site_id,
            own_kind=post.channel_kind if post else None,
        ),
        "site_name": directory().site_names().get(site_id) if site_id else None,
        "reviewing": reviewing,
        "form": form
        or (
            DigestReviewForm(digest=digest, initial={"comment": digest.comment})
            if reviewing
            else None
        ),
        "earlier": WeeklyDigest.objects.published()
        .exclude(pk=digest.pk)
        .order_by("-week_start")[:4]
        if not reviews
        else [],
    }


@require_POST
@role_required(*REVIEWERS)
def digest_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers and CVM managers. Save the comment and the hidden items of a
    draft, and publish it when the "Publish" button was pressed."""
    digest = get_object_or_404(WeeklyDigest, pk=pk)
    if digest.is_published:
        messages.error(request, _("This digest has gone out already: it can no longer change."))
        return redirect("training:digest", pk=digest.pk)
    form = DigestReviewForm(request.POST, digest=digest)
    if not form.is_valid():
        context = _detail_context(digest, reviews=True, site_id=None, post=None, reviewing=True)
        return render(request, "training/digest_detail.html", {**context, "form": form}, status=422)
    digests.save_review(
        digest=digest,
        comment=form.cleaned_data["comment"],
        hidden_ids=form.cleaned_data["hidden"],
        by=request.user,
    )
    if form.cleaned_data["action"] == DigestReviewForm.PUBLISH:
        digests.publish_digest(digest=digest, by=request.user)
        messages.success(
            request, _("Published: agents see it in My training and on their console now.")
        )
    else:
        messages.success(
            request,
            _("Draft saved. It goes out by itself at %(when)s unless you publish it first.")
            % {"when": _when(digest.publish_at)},
        )
    return redirect("training:digest", pk=digest.pk)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@require_POST
@role_required(*REVIEWERS)
def digest_build(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers and CVM managers. Draft last week's digest now instead of
    waiting for Monday 06:00 (queued; at once when no task queue is configured)."""
    if WeeklyDigest.objects.filter(week_start=digests.last_week()).exists():
        messages.info(request, _("Last week's digest is drafted already: open it below."))
    else:
        build_weekly_digest_task.delay()
        messages.success(request, _("Last week's digest is being drafted: it appears below."))
    return redirect("training:digests")
