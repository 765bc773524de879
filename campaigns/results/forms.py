"""The filters of the results pages: period, campaign, channel kind, site, team and agent.

Which fields a page offers depends on who looks (``Scope``): a team lead's site and an agent's
own figures are fixed by the view, never by the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns import channel_registry
from campaigns.models import Campaign

from .queries import LEVELS, Filters
from .sources import delivery

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Scope:
    """What a user may see: every site, one site (a team lead), or one agent (their own)."""

    site_id: int | None = None  # fixed: a team lead's site
    agent_id: int | None = None  # fixed: the agent's own figures
    levels: tuple[str, ...] = LEVELS  # the drill-down this user walks
    sees_uplift: bool = False
    sees_sites: bool = False  # may choose any site (CVM managers)


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PeriodFilterForm(forms.Form):
    """A period (default: the last ``DEFAULT_DAYS`` days, at most ``MAX_DAYS``), a campaign and
    a channel: the filters every results page starts from (the model report's too)."""

    since = _date_field(_("From"))
    until = _date_field(_("To"))
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.order_by("-starts_at", "code"),
        empty_label=_("All campaigns"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=lambda: [("", _("All channels")), *channel_registry.choices()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["since"].help_text = ngettext(
            "Default: the last %(n)d day.", "Default: the last %(n)d days.", DEFAULT_DAYS
        ) % {"n": DEFAULT_DAYS}

    def clean(self):
        data = super().clean()
        if "since" in self.errors or "until" in self.errors:
            return data
        until = data.get("until") or self.today
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            self.add_error("until", _("The end of the period is before its start."))
        elif (until - since).days + 1 > MAX_DAYS:
            self.add_error(
                "since",
                ngettext(
                    "Choose a period of at most %(n)d day.",
                    "Choose a period of at most %(n)d days.",
                    MAX_DAYS,
                )
                % {"n": MAX_DAYS},
            )
        data["since"], data["until"] = since, until
        return data


class ResultsFilterForm(PeriodFilterForm):
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)
    team = forms.ChoiceField(
        label=_("Team"),
        required=False,
        help_text=_("A site's agents in one channel."),
    )
    agent = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, scope: Scope, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope, self.fixed_campaign = scope, campaign
        if campaign is not None:
            del self.fields["campaign"]
        if scope.agent_id is not None:  # an agent's own figures: no site, team or agent to pick
            for name in ("site", "team", "agent"):
                del self.fields[name]
            return
        sites = delivery().site_names()
        if scope.sees_sites:
            self.fields["site"].choices = [("", _("All sites")), *sites.items()]
        else:
            del self.fields["site"]
        site_ids = None if scope.site_id is None else [scope.site_id]
        self.fields["team"].choices = [
            ("", _("All teams")),
            *((f"{t.site_id}:{t.channel_kind}", t.label) for t in delivery().teams(site_ids)),
        ]
        self.fields["agent"].choices = [("", _("All agents")), *self._agents(sites)]

    def _agents(self, sites: dict[int, str]) -> list[tuple[int, str]]:
        """Agents of the site in view (the lead's, or the one chosen) to pick from; a manager
        who has not chosen a site reaches agents through the drill-down instead."""
        site_id = self.scope.site_id
        if site_id is None:
            raw = self.data.get("site") or ""
            site_id = int(raw) if raw.isdigit() and int(raw) in sites else None
        wanted = set(delivery().agents_at(site_id)) if site_id is not None else set()
        raw_agent = self.data.get("agent") or ""
        if raw_agent.isdigit() and self.scope.sees_sites:
            wanted.add(int(raw_agent))  # followed a drill-down link
        users = get_user_model().objects.filter(pk__in=wanted).order_by("first_name", "last_name")
        return [(u.pk, u.get_full_name() or u.get_username()) for u in users]

    def clean(self):
        data = super().clean()
        if "since" in self.errors or "until" in self.errors:
            return data
        team = data.get("team")
        if team:
            site_id, kind = team.split(":", 1)
            if data.get("site") not in (None, int(site_id)):
                self.add_error("team", _("This team works at another site than the one chosen."))
            if data.get("channel") not in ("", None, kind):
                self.add_error("team", _("This team works in another channel than the one chosen."))
            data["site"], data["channel"] = int(site_id), kind
        return data

    def filters(self) -> Filters:
        """The valid filters, with what the scope fixes."""
        data, scope = self.cleaned_data, self.scope
        campaign = self.fixed_campaign or data.get("campaign")
        return Filters(
            start=data["since"],
            end=data["until"],
            campaign_id=campaign.pk if campaign is not None else None,
            channel_kind=data.get("channel") or None,
            site_id=scope.site_id if scope.site_id is not None else data.get("site"),
            agent_id=scope.agent_id if scope.agent_id is not None else data.get("agent"),
        )


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_DAYS - 1), today
