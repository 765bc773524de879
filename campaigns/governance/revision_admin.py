"""Admin behaviour for governed campaigns: a save of an approved, live or paused campaign, of an
offer such a campaign uses, or of that offer's contents becomes a pending revision instead of
changing what the channels serve. Drafts and campaigns in review are edited in place.

The mixins go in front of the admin classes in campaigns/admin.py; they keep
django-simple-history's history pages (before/after of every change) but not its "revert",
which would write past the revision.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.admin import SimpleHistoryAdmin

from cvm_portal.admin import ReadOnlyAdmin

from ..models import Campaign, CampaignRevision, EligibilityRule, Offer, OfferContent
from .revisions import (
    CAMPAIGN_FIELDS,
    RULE_FIELDS,
    _content_key,
    _dump,
    also_used_by,
    content_fields,
    diff,
    governing_campaign,
    is_governed,
    offer_fields,
    propose,
)

_PENDING = "_cvm_revision_changes"  # on the request: changes gathered during one admin save
_SAVED = "_cvm_revision"  # on the request: the revision they became


class HistoryAdmin(SimpleHistoryAdmin):
    """The history pages (who changed what, before → after), without reverting from them."""

    def revert_disabled(self, request, obj=None):  # noqa: ARG002 - the admin's signature
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def _changed(model, names, obj, form) -> dict:
    return {name: _dump(model, name, obj) for name in names if name in form.changed_data}


def _content_changes(formsets) -> dict:
    """Offer-content inline edits as the ``contents`` part of a revision."""
    contents: dict = {}
    names = content_fields()
    for formset in formsets:
        if formset.model is not OfferContent:
            continue
        for form in formset.forms:
            content = form.instance
            if not form.has_changed() and not (form.cleaned_data or {}).get("DELETE"):
                continue
            if (form.cleaned_data or {}).get("DELETE"):
                if content.pk:
                    original = OfferContent.objects.get(pk=content.pk)
                    contents[_content_key(original.offer_id, original.channel_kind)] = None
                continue
            if content.pk and "channel_kind" in form.changed_data:
                original = OfferContent.objects.get(pk=content.pk)
                contents[_content_key(original.offer_id, original.channel_kind)] = None
                wanted = names
            else:
                wanted = names if content.pk is None else form.changed_data
            contents[_content_key(content.offer_id, content.channel_kind)] = {
                name: _dump(OfferContent, name, content) for name in names if name in wanted
            }
    return contents


def _rule_changes(formsets) -> dict:
    for formset in formsets:
        if formset.model is not EligibilityRule:
            continue
        for form in formset.forms:
            rule = form.instance
            if (form.cleaned_data or {}).get("DELETE"):
                return {"rule": None} if rule.pk else {}
            if form.has_changed():
                wanted = RULE_FIELDS if rule.pk is None else form.changed_data
                return {
                    "rule": {
                        name: _dump(EligibilityRule, name, rule)
                        for name in RULE_FIELDS
                        if name in wanted
                    }
                }
    return {}


def _prune(changes: dict) -> dict:
    """``changes`` without the parts that change nothing (a None content or rule stays: it is
    a removal)."""
    pruned: dict = {}
    if changes.get("campaign"):
        pruned["campaign"] = changes["campaign"]
    offers = {key: fields for key, fields in (changes.get("offers") or {}).items() if fields}
    if offers:
        pruned["offers"] = offers
    contents = {
        key: fields
        for key, fields in (changes.get("contents") or {}).items()
        if fields is None or fields
    }
    if contents:
        pruned["contents"] = contents
    if "rule" in changes and changes["rule"] != {}:
        pruned["rule"] = changes["rule"]
    return pruned


class _RevisionAdmin(HistoryAdmin):
    """Turns a save into a revision when ``_governing`` names a campaign; otherwise saves."""

    def _governing(self, obj, form, change) -> Campaign | None:
        raise NotImplementedError

    def _own_changes(self, obj, form) -> dict:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        campaign = self._governing(obj, form, change)
        if campaign is None:
            return super().save_model(request, obj, form, change)
        setattr(request, _PENDING, (campaign, self._own_changes(obj, form)))

    def save_related(self, request, form, formsets, change):
        pending = getattr(request, _PENDING, None)
        if pending is None:
            return super().save_related(request, form, formsets, change)
        campaign, changes = pending
        changes = _prune(changes | self._related_changes(formsets))
        if changes:
            setattr(request, _SAVED, propose(campaign=campaign, by=request.user, changes=changes))

    def _related_changes(self, formsets) -> dict:  # noqa: ARG002 - overridden
        return {}

    def _governing_now(self, obj) -> Campaign | None:
        """The governed campaign an edit of ``obj`` would become a revision of, if any."""
        return self._governing(obj, None, True)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            campaign = self._governing_now(obj) if obj is not None else None
            if campaign is not None:
                self.message_user(
                    request,
                    _(
                        "%(code)s is %(status)s: what you save here becomes a revision that "
                        "another CVM manager approves; until then every channel serves the "
                        "approved version."
                    )
                    % {"code": campaign.code, "status": campaign.get_status_display().lower()},
                    messages.INFO,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, _PENDING, None) is not None:
            return ""  # the inlines were not saved: log_change says what happened instead
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        revision = getattr(request, _SAVED, None)
        if revision is not None:
            message = _("Proposed as revision #%(n)s of %(campaign)s.") % {
                "n": revision.number,
                "campaign": revision.campaign.code,
            }
        elif getattr(request, _PENDING, None) is not None:
            message = _("No change.")
        return super().log_change(request, obj, message)

    def log_addition(self, request, obj, message):
        if getattr(request, _SAVED, None) is not None:
            return None  # nothing was added: the revision says what will be
        return super().log_addition(request, obj, message)

    def _after_revision(self, request, obj):
        revision = getattr(request, _SAVED, None)
        if revision is None:
            if getattr(request, _PENDING, None) is not None:
                self.message_user(request, _("Nothing changed."), messages.INFO)
                return HttpResponseRedirect(request.path)
            return None
        self.message_user(
            request,
            format_html(
                _(
                    'Saved as <a href="{url}">revision #{n}</a>, waiting for another CVM '
                    "manager's approval. Until then every channel serves the approved version."
                ),
                url=reverse("admin:campaigns_campaignrevision_change", args=[revision.pk]),
                n=revision.number,
            ),
            messages.WARNING,
        )
        if obj.pk and obj._state.adding is False and request.path.endswith("/change/"):
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(
            reverse("admin:campaigns_campaign_change", args=[revision.campaign_id])
        )

    def response_change(self, request, obj):
        return self._after_revision(request, obj) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_revision(request, obj) or super().response_add(
            request, obj, post_url_continue
        )


class CampaignEditsAsRevisions(_RevisionAdmin):
    """For CampaignAdmin: its fields, offer set and always-on rule."""

    def _governing_now(self, obj):
        return obj if is_governed(obj) else None

    def _governing(self, obj, form, change):
        if not change:
            return None
        stored = Campaign.objects.get(pk=obj.pk)
        if not is_governed(stored):
            return None
        # What a revision does not cover (code, owner) is still saved in place.
        free = [
            name
            for name in form.changed_data
            if name not in CAMPAIGN_FIELDS and name != "offers" and hasattr(stored, name)
        ]
        if free:
            for name in free:
                setattr(stored, name, getattr(obj, name))
            stored.save(update_fields=[*free, "updated_at"])
        return stored

    def _own_changes(self, obj, form):
        changes = _changed(Campaign, CAMPAIGN_FIELDS, obj, form)
        if "offers" in form.changed_data:
            changes["offers"] = sorted(offer.pk for offer in form.cleaned_data["offers"])
        return {"campaign": changes}

    def _related_changes(self, formsets):
        return _rule_changes(formsets)


class OfferEditsAsRevisions(_RevisionAdmin):
    """For OfferAdmin: an offer used by a governed campaign, and its contents inline."""

    def _governing(self, obj, form, change):  # noqa: ARG002 - one signature for all
        return governing_campaign(obj) if change else None

    def _own_changes(self, obj, form):
        return {"offers": {str(obj.pk): _changed(Offer, offer_fields(), obj, form)}}

    def _related_changes(self, formsets):
        contents = _content_changes(formsets)
        return {"contents": contents} if contents else {}

    def has_delete_permission(self, request, obj=None):
        if obj is not None and governing_campaign(obj) is not None:
            return False  # an approved campaign's offer is removed from it by a revision
        return super().has_delete_permission(request, obj)


class OfferContentEditsAsRevisions(_RevisionAdmin):
    """For OfferContentAdmin: the texts of an offer used by a governed campaign."""

    def _governing(self, obj, form, change):  # noqa: ARG002 - one signature for all
        return governing_campaign(obj.offer) if obj.offer_id else None

    def _own_changes(self, obj, form):
        if obj.pk and "channel_kind" in form.changed_data:
            original = OfferContent.objects.get(pk=obj.pk)
            return {
                "contents": {
                    _content_key(original.offer_id, original.channel_kind): None,
                    _content_key(obj.offer_id, obj.channel_kind): {
                        n: _dump(OfferContent, n, obj) for n in content_fields()
                    },
                }
            }
        wanted = content_fields() if obj.pk is None else form.changed_data
        return {
            "contents": {
                _content_key(obj.offer_id, obj.channel_kind): {
                    n: _dump(OfferContent, n, obj) for n in content_fields() if n in wanted
                }
            }
        }

    def has_delete_permission(self, request, obj=None):
        if obj is not None and governing_campaign(obj.offer) is not None:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CampaignRevision)
class RevisionAdmin(ReadOnlyAdmin):
    """Revisions are proposed by saving a governed campaign and decided on its governance
    page; here they are read, with their before/after."""

    list_display = ["__str__", "status", "proposed_by", "proposed_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["campaign__code", "campaign__name"]
    list_select_related = ["campaign", "proposed_by", "decided_by"]
    fields = [
        "campaign", "number", "status", "proposed_by", "proposed_at", "decided_by",
        "decided_at", "comment", "changes_table",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_lazy("changes (approved → proposed)"))
    def changes_table(self, obj: CampaignRevision):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((row.where, row.label, row.before, row.after) for row in diff(obj)),
        )
        others = also_used_by(obj)
        note = (
            format_html(
                "<p>{}</p>",
                _("These offers are also used by: %(codes)s.") % {"codes": ", ".join(others)},
            )
            if others
            else ""
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>{}",
            _("Where"),
            _("Field"),
            _("Approved"),
            _("Proposed"),
            rows,
            note,
        )


@admin.register(EligibilityRule)
class EligibilityRuleHistoryAdmin(HistoryAdmin):
    """Always-on rules are edited inline on their campaign; here their history is read."""

    list_display = ["__str__", "segments", "value_tiers", "requires_product"]
    search_fields = ["campaign__code"]
    list_select_related = ["campaign", "requires_product"]

    def has_add_permission(self, request):  # noqa: ARG002 - the admin's signature
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002 - the admin's signature
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002 - the admin's signature
        return False
