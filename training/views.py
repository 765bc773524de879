"""Training pages: the trainer's authoring workspace and dashboards, the team lead's view of
their site, and the agent's "My training" (read, acknowledge, take the quiz)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.choices import CampaignStatus
from campaigns.models import Campaign
from cvm_portal.roles import Role, role_required, roles_of

from . import progress, reports
from .forms import GuideForm, ImageForm, PublishForm, QuestionForm, QuizForm
from .models import Guide, GuideImage, Question
from .publishing import add_question, publish_guide
from .rendering import reading_minutes, render_markdown
from .sites import directory

AUTHORS = (Role.TRAINER,)
# Who is assigned guides: agents (team leads are agents too) and the digital teams.
LEARNERS = (Role.AGENT, Role.DIGITAL_TEAM)


# --- Trainer: authoring -----------------------------------------------------------------


@require_GET
@role_required(*AUTHORS)
def home(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers. Every guide, published or draft, with how far agents have got."""
    guides = (
        Guide.objects.select_related("current_version")
        .prefetch_related("campaigns")
        .annotate(
            assigned=Count("assignments", distinct=True),
            n_questions=Count("questions", distinct=True),
        )
        .order_by("title")
    )
    campaigns = (
        Campaign.objects.filter(status__in=[CampaignStatus.APPROVED, CampaignStatus.LIVE])
        .annotate(n_guides=Count("guides", filter=Q(guides__current_version__isnull=False)))
        .order_by("starts_at")
    )
    return render(request, "training/home.html", {"guides": guides, "campaigns": campaigns})


@require_http_methods(["GET", "POST"])
@role_required(*AUTHORS)
def guide_create(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers. Start a guide (a draft until it is published)."""
    form = GuideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        guide = form.save(commit=False)
        guide.author = request.user
        guide.save()
        form.save_m2m()
        messages.success(
            request, _("Guide saved as a draft. Add questions and images, then publish.")
        )
        return redirect("training:guide_edit", pk=guide.pk)
    return render(request, "training/guide_form.html", {"form": form, "guide": None})


@require_http_methods(["GET", "POST"])
@role_required(*AUTHORS)
def guide_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers. Edit the draft; questions, images and publishing are below it."""
    guide = get_object_or_404(Guide.objects.select_related("current_version"), pk=pk)
    form = GuideForm(request.POST or None, instance=guide)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Draft saved. Agents see it once you publish."))
        return redirect("training:guide_edit", pk=guide.pk)
    return render(request, "training/guide_form.html", _edit_context(guide, form=form))


def _edit_context(guide: Guide, **extra) -> dict:
    return {
        "guide": guide,
        "form": GuideForm(instance=guide),
        "questions": guide.questions.prefetch_related("choices"),
        "images": guide.images.all(),
        "versions": guide.versions.select_related("published_by")[:10],
        "question_form": QuestionForm(),
        "image_form": ImageForm(),
        "publish_form": PublishForm(),
        "preview": render_markdown(guide.body),
        "minutes": reading_minutes(guide.body),
        **extra,
    }


@require_POST
@role_required(*AUTHORS)
def preview(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers. The live preview: Markdown rendered and sanitised, as agents see it."""
    body = request.POST.get("body", "")[:100_000]
    return render(
        request,
        "training/includes/preview.html",
        {"preview": render_markdown(body), "minutes": reading_minutes(body)},
    )


@require_POST
@role_required(*AUTHORS)
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers. Add a quiz question to the draft."""
    guide = get_object_or_404(Guide, pk=pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        add_question(
            guide=guide,
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"],
            choices=form.cleaned_data["parsed"],
        )
        messages.success(request, _("Question added; it reaches agents with the next version."))
        return redirect("training:guide_edit", pk=guide.pk)
    return render(
        request,
        "training/guide_form.html",
        _edit_context(guide, question_form=form),
        status=422,
    )


@require_POST
@role_required(*AUTHORS)
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers. Remove a question from the draft (published versions keep it)."""
    question = get_object_or_404(Question, pk=pk)
    question.delete()
    messages.success(request, _("Question removed from the draft."))
    return redirect("training:guide_edit", pk=question.guide_id)


@require_POST
@role_required(*AUTHORS)
def image_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers. Upload an image for the guide; its Markdown is shown to copy."""
    guide = get_object_or_404(Guide, pk=pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        image = form.save(commit=False)
        image.guide, image.uploaded_by = guide, request.user
        image.save()
        messages.success(
            request,
            _("Image uploaded. Put %(markdown)s in the text where it belongs.")
            % {"markdown": image.markdown},
        )
        return redirect("training:guide_edit", pk=guide.pk)
    return render(
        request, "training/guide_form.html", _edit_context(guide, image_form=form), status=422
    )


@require_POST
@role_required(*AUTHORS)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: trainers. Publish the draft as a new version and assign it."""
    guide = get_object_or_404(Guide, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return render(
            request, "training/guide_form.html", _edit_context(guide, publish_form=form), status=422
        )
    version = publish_guide(
        guide=guide,
        by=request.user,
        material=form.cleaned_data["material"],
        note=form.cleaned_data["note"],
    )
    assigned = guide.assignments.count()
    messages.success(
        request,
        ngettext(
            "Version %(n)d published; %(people)d person has it assigned.",
            "Version %(n)d published; %(people)d people have it assigned.",
            assigned,
        )
        % {"n": version.number, "people": assigned},
    )
    return redirect("training:guide_edit", pk=guide.pk)


# --- Trainer and team lead: dashboards ---------------------------------------------------


def _scope(request) -> int | None:
    """Trainers see every site; a team lead only their own (whatever the address asks)."""
    if roles_of(request.user) & set(AUTHORS):
        return None
    post = directory().post_of(request.user)
    if post is None:
        raise Http404
    return post.site_id


@require_GET
@role_required(Role.TRAINER, Role.TEAM_LEAD)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers (every site) and team leads (their own site's people only).
    Completion and pass rates, overdue people, the questions most often answered wrong."""
    site_id = _scope(request)
    return render(
        request,
        "training/dashboard.html",
        {**reports.dashboard(site_id=site_id), "own_site": site_id is not None},
    )


@require_GET
@role_required(Role.TRAINER, Role.TEAM_LEAD)
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers and team leads (own site). Every assignment as CSV."""
    site_id = _scope(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="training-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Guide"),
            _("Version"),
            _("Username"),
            _("Name"),
            _("Site"),
            _("Channel"),
            _("Assigned"),
            _("Due"),
            _("Status"),
            _("Quiz passed"),
        ]
    )
    for row in reports.export_rows(site_id=site_id):
        writer.writerow([_csv_safe(v) for v in row])
    return response


def _csv_safe(value):
    """Keep spreadsheet formulas out of exported names (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else value


@require_GET
@role_required(*AUTHORS)
def insight(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers. Per campaign, what works: best-converting offers and agents,
    and the reasons agents and customers cite most."""
    campaigns = Campaign.objects.order_by("name")
    chosen = None
    figures = None
    if request.GET.get("campaign"):
        try:
            chosen = campaigns.get(pk=int(request.GET["campaign"]))
        except (ValueError, Campaign.DoesNotExist):
            raise Http404 from None
        figures = reports.campaign_insight(campaign=chosen)
    return render(
        request,
        "training/insight.html",
        {"campaigns": campaigns, "chosen": chosen, "figures": figures},
    )


# --- Agent: My training ------------------------------------------------------------------


@require_GET
@role_required(*LEARNERS)
def my_training(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents (and team leads, who are agents too) and digital team members.
    Their own guides only."""
    groups = progress.my_training(request.user)
    return render(request, "training/my_training.html", {"groups": groups})


@require_GET
@role_required(*LEARNERS)
def guide_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: an agent or digital team member the guide is assigned to (others get
    404). The current version."""
    assignment = progress.assignment_for(request.user, pk)
    progress.mark_opened(assignment)
    guide = assignment.guide
    version = guide.current_version
    completion = guide.completions.filter(user=request.user, version=version).first()
    earlier = (
        guide.completions.filter(user=request.user, completed_at__isnull=False)
        .exclude(version=version)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    return render(
        request,
        "training/guide_read.html",
        {
            "assignment": assignment,
            "guide": guide,
            "version": version,
            "completion": completion,
            "earlier": earlier,
            "counts": earlier is not None and earlier.version.number >= guide.required_version,
            "attempts_left": progress.attempts_left(user=request.user, version=version),
        },
    )


@require_POST
@role_required(*LEARNERS)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: an agent or digital team member the guide is assigned to. "I have read
    and understood it"."""
    assignment = progress.assignment_for(request.user, pk)
    completion = progress.acknowledge(user=request.user, guide=assignment.guide)
    if completion.completed_at:
        messages.success(request, _("Thank you: this guide is complete."))
    else:
        messages.success(request, _("Acknowledged. Now take the quiz to complete the guide."))
    return redirect("training:guide_read", pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(*LEARNERS)
def quiz(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: an agent or digital team member the guide is assigned to. Take the quiz;
    see what was wrong."""
    assignment = progress.assignment_for(request.user, pk)
    guide = assignment.guide
    version = guide.current_version
    if not version.has_quiz:
        raise Http404
    left = progress.attempts_left(user=request.user, version=version)
    form = QuizForm(request.POST or None, quiz=version.quiz)
    if request.method == "POST" and form.is_valid():
        try:
            graded = progress.submit_quiz(user=request.user, guide=guide, answers=form.answers())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(
                request,
                "training/quiz_result.html",
                {
                    "guide": guide,
                    "version": version,
                    "graded": graded,
                    "attempts_left": progress.attempts_left(user=request.user, version=version),
                },
            )
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "training/quiz.html",
        {"guide": guide, "version": version, "form": form, "attempts_left": left},
        status=status,
    )


@require_GET
def guide_image(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: anyone signed in (guides are internal; the login wall applies). Serves an
    image uploaded with a guide from the media folder, in production too (no public media URL)."""
    image = get_object_or_404(GuideImage, pk=pk)
    try:
        handle = image.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
