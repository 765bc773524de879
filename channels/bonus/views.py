"""Bonus pages: an agent's statement, the team's, and the CVM manager's plans. Each says who may use it."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign
from channels.bonus import simulator
from channels.bonus.agencies import agency_statement
from channels.bonus.cancellations import record_cancellations
from channels.bonus.periods import covered_agents, plan_for, today
from channels.bonus.statements import close_period, current_statement, payroll_csv, refresh_plan
from channels.choices import LineKind, SiteKind
from channels.models.bonus import BonusPlan, BonusStatement, Cancellation
from channels.models.sites import Site, profile_of
from cvm_portal.roles import Role, role_required, roles_of

MANAGERS = (Role.CVM_MANAGER, Role.ADMINISTRATOR)


def _leaderboard(statement: BonusStatement) -> list[BonusStatement] | None:
    """The site's ranking under the same plan, unless the site switched it off."""
    if not statement.site.bonus_leaderboard:
        return None
    return list(
        BonusStatement.objects.filter(plan=statement.plan, site=statement.site)
        .select_related("agent")
        .order_by("-total", "agent__username")[:20]
    )


def _statement_context(request, statement: BonusStatement) -> dict:
    lines = list(statement.lines.order_by("at", "id"))
    return {
        "statement": statement,
        "plan": statement.plan,
        "lines": lines,
        "conversion_kinds": {LineKind.CONVERSION, LineKind.LATE},
        "leaderboard": _leaderboard(statement),
        "progress": min(int(statement.attainment or 0), 200),
        "tiers": list(statement.plan.tiers.all()),
        "mine": statement.agent_id == request.user.pk,
    }


@require_GET
@role_required(Role.AGENT, Role.TEAM_LEAD)
def my_statement(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents and team leads, for their own statement only (this period, or a
    past one of theirs with ?plan=<id>)."""
    profile = profile_of(request.user)
    past = BonusStatement.objects.filter(agent=request.user).select_related("plan")
    plan = None
    if request.GET.get("plan"):
        try:
            plan_id = int(request.GET["plan"])
        except ValueError as exc:
            raise Http404 from exc
        plan = get_object_or_404(BonusPlan, pk=plan_id, statements__agent=request.user)
    elif profile is not None:
        plan = plan_for(profile, today())
    context = {"profile": profile, "past": past.order_by("-plan__starts_on")[:12]}
    if plan is None:
        return render(request, "channels/bonus_statement.html", context)
    statement = current_statement(
        plan=plan, agent=request.user, site_id=profile.site_id if profile else None
    )
    statement = BonusStatement.objects.select_related("plan", "site", "agent").get(pk=statement.pk)
    return render(
        request,
        "channels/bonus_statement.html",
        {**context, **_statement_context(request, statement)},
    )


@require_GET
@role_required(Role.AGENT, Role.TEAM_LEAD, *MANAGERS)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent it belongs to, the team lead of its site, CVM managers.
    Anyone else gets a 404, whatever id they type."""
    statement = get_object_or_404(
        BonusStatement.objects.visible_to(request.user).select_related("plan", "site", "agent"),
        pk=pk,
    )
    return render(request, "channels/bonus_statement.html", _statement_context(request, statement))


@require_GET
@role_required(Role.TEAM_LEAD)
def team(request: HttpRequest) -> HttpResponse:
    """Who may use it: team leads and store managers: their own site's statements this period."""
    profile = profile_of(request.user)
    rows = []
    if profile is not None:
        day = today()
        for member in profile.site.agents.select_related("user"):
            plan = plan_for(member, day)
            if plan is not None:
                rows.append(current_statement(plan=plan, agent=member.user, site_id=member.site_id))
        rows = list(
            BonusStatement.objects.filter(pk__in=[s.pk for s in rows])
            .select_related("agent", "plan")
            .order_by("-total", "agent__username")
        )
    return render(
        request,
        "channels/bonus_team.html",
        {
            "profile": profile,
            "statements": rows,
            "ranked": profile is not None and profile.site.bonus_leaderboard,
        },
    )


# --- CVM manager -----------------------------------------------------------------------------


@require_GET
@role_required(*MANAGERS)
def plans(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Plans, leaderboards per site."""
    return render(
        request,
        "channels/bonus_plans.html",
        {
            "plans": BonusPlan.objects.prefetch_related("sites"),
            "sites": Site.objects.filter(is_active=True).order_by("name"),
            "today": today(),
        },
    )


@require_GET
@role_required(*MANAGERS)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. A plan's statements, refresh and close."""
    plan = get_object_or_404(BonusPlan.objects.prefetch_related("sites", "rules", "tiers"), pk=pk)
    statements = plan.statements.select_related("agent", "site").order_by(
        "site__name", "-total", "agent__username"
    )
    return render(
        request,
        "channels/bonus_plan.html",
        {
            "plan": plan,
            "statements": statements,
            "can_close": not plan.is_closed and today() > plan.ends_on,
        },
    )


@require_POST
@role_required(*MANAGERS)
def plan_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Recompute every open statement now."""
    plan = get_object_or_404(BonusPlan, pk=pk)
    if plan.is_closed:
        messages.error(request, _("This period is closed; its statements are frozen."))
    else:
        count = refresh_plan(plan=plan)
        messages.success(
            request,
            ngettext("%(n)d statement recomputed.", "%(n)d statements recomputed.", count)
            % {"n": count},
        )
    return redirect("channels:bonus_plan", pk=plan.pk)


@require_POST
@role_required(*MANAGERS)
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Freezes every statement of the period."""
    plan = get_object_or_404(BonusPlan, pk=pk)
    try:
        count = close_period(plan=plan, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            ngettext(
                "Period closed: %(n)d statement frozen. The payroll file is ready.",
                "Period closed: %(n)d statements frozen. The payroll file is ready.",
                count,
            )
            % {"n": count},
        )
    return redirect("channels:bonus_plan", pk=plan.pk)


@require_GET
@role_required(*MANAGERS)
def payroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators, after the period is closed."""
    plan = get_object_or_404(BonusPlan, pk=pk)
    try:
        text = payroll_csv(plan=plan, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("channels:bonus_plan", pk=plan.pk)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="bonus-payroll-{plan.pk}-{plan.starts_on:%Y-%m}.csv"'
    )
    return response


@require_GET
@role_required(*MANAGERS)
def simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. What-if: expected conversions → cost."""
    plan = get_object_or_404(BonusPlan, pk=pk)
    campaign_ids = {r.campaign_id for r in plan.rules.all() if r.campaign_id}
    campaigns = list(
        Campaign.objects.filter(
            Q(pk__in=campaign_ids)
            | Q(starts_at__date__lte=plan.ends_on, ends_at__date__gte=plan.starts_on)
        ).order_by("code")
    )
    default_agents = covered_agents(plan).count()
    errors, expected, result = [], {}, None
    agents_value = request.GET.get("agents", "")
    if "agents" in request.GET:
        for campaign in campaigns:
            raw = request.GET.get(f"c{campaign.pk}", "").strip() or "0"
            if not raw.isdigit() or int(raw) > 10_000_000:
                errors.append(
                    _("%(campaign)s: type a whole number of conversions (0 or more).")
                    % {"campaign": campaign.code}
                )
            elif int(raw):
                expected[campaign.pk] = int(raw)
        if not agents_value.isdigit() or int(agents_value) < 1:
            errors.append(_("Agents: type how many agents share these conversions (1 or more)."))
        if not errors:
            result = simulator.simulate(plan=plan, expected=expected, agents=int(agents_value))
    rows = [
        {"campaign": c, "value": request.GET.get(f"c{c.pk}", ""), "name": f"c{c.pk}"}
        for c in campaigns
    ]
    return render(
        request,
        "channels/bonus_simulate.html",
        {
            "plan": plan,
            "rows": rows,
            "agents": agents_value or default_agents,
            "errors": errors,
            "result": result,
        },
    )


class CancellationForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        required=False,
        help_text=gettext_lazy(
            "Columns: response_id or presentation_id; optional cancelled_on (YYYY-MM-DD), reason."
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("…or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > 5 * 1024 * 1024:
                raise ValidationError(_("The file is larger than 5 MB; split it."))
            try:
                data["csv"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValidationError(_("The file is not UTF-8 text.")) from exc
        elif data.get("text", "").strip():
            data["csv"] = data["text"]
        else:
            raise ValidationError(_("Choose a CSV file or paste its rows."))
        return data


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def cancellations(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Enter cancelled conversions (clawback)."""
    if request.method == "POST":
        form = CancellationForm(request.POST, request.FILES)
    else:
        form = CancellationForm()
    report = None
    if request.method == "POST" and form.is_valid():
        report = record_cancellations(text=form.cleaned_data["csv"], user=request.user)

    recent = Cancellation.objects.select_related("response__offer", "entered_by")[:20]
    return render(
        request,
        "channels/bonus_cancellations.html",
        {"form": form, "report": report, "recent": recent},
        status=422 if request.method == "POST" and not form.is_valid() else 200,
    )


@require_POST
@role_required(*MANAGERS)
def leaderboard_toggle(request: HttpRequest, code: str) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Switch a site's leaderboard on or off."""
    site = get_object_or_404(Site, code=code)
    site.bonus_leaderboard = request.POST.get("on") == "1"
    site.save(update_fields=["bonus_leaderboard"])
    messages.success(
        request,
        (
            _("Leaderboard shown at %(site)s.")
            if site.bonus_leaderboard
            else _("Leaderboard hidden at %(site)s.")
        )
        % {"site": site.name},
    )
    return redirect("channels:bonus_plans")


class MonthForm(forms.Form):
    """?month=YYYY-MM, within years the statements can be computed for (year 1 or 9999 would
    overflow the period's bounds)."""

    FIRST, LAST = date(2000, 1, 1), date(2099, 12, 1)  # whole years

    month = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": gettext_lazy("Type the month as YYYY-MM.")},
    )

    def clean_month(self) -> date | None:
        text = self.cleaned_data["month"]
        if not text:
            return None
        year, number = (int(part) for part in text.split("-"))
        if not self.FIRST.year <= year <= self.LAST.year:  # checked before date(): year 0 fails
            raise ValidationError(
                _("Choose a month from %(first)s to %(last)s.")
                % {"first": f"{self.FIRST:%Y-%m}", "last": f"{self.LAST:%Y-%m}"}
            )
        return date(year, number, 1)


@require_GET
@role_required(Role.TEAM_LEAD, *MANAGERS)
def agencies(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers (every agency) and team leads of an agency (their own).
    Per month and campaign: conversions and reached contacts × the agreed rates."""
    form = MonthForm(request.GET)
    month = today().replace(day=1)
    if form.is_valid() and form.cleaned_data["month"]:
        month = form.cleaned_data["month"]
    sites = Site.objects.visible_to(request.user).filter(kind=SiteKind.AGENCY).order_by("name")
    if not roles_of(request.user) & set(MANAGERS) and not sites:
        raise Http404
    statements = []
    for site in sites:
        rows = agency_statement(site=site, month=month)
        statements.append({"site": site, "rows": rows, "total": sum(r["earned"] for r in rows)})
    return render(
        request,
        "channels/bonus_agencies.html",
        {"form": form, "month": month, "statements": statements},
        # A month it cannot use: the page says so (with this month's figures) and answers 400.
        status=400 if form.errors else 200,
    )
