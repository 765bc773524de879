"""Customer-need notes: what an agent heard the customer needs, tagged from the taxonomy CVM
managers keep (campaigns.NeedTag), with a short text masked before it is stored.

``add_note`` is the one way a note is written (the console, the outbound screen and the demo
all call it); ``NoteForm`` parses what the agent sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Customer, Decision, NeedTag
from channels.models.insights import NOTE_MAX_LENGTH, CustomerNote
from channels.models.sites import profile_of
from cvm_portal.audit import record_access
from cvm_portal.masking import mask
from cvm_portal.roles import Role, roles_of

NOTHING_TO_SAVE = _("Tick at least one need or write a few words.")


class NoteForm(forms.Form):
    """A note as the agent sends it: ticked needs and an optional text."""

    tags = forms.ModelMultipleChoiceField(
        label=_("What does the customer need?"),
        queryset=NeedTag.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": _("That need is no longer on the list. Reload the page."),
            "invalid_pk_value": _("That need is no longer on the list. Reload the page."),
        },
    )
    text = forms.CharField(
        label=_("Note (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
        error_messages={
            "max_length": _("Keep the note to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    # The console's contact (its decision), so the note says which contact it came from.
    decision = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("tags") and not data.get("text"):
            raise ValidationError(NOTHING_TO_SAVE, code="empty")
        return data

    def messages(self) -> list[str]:
        """Every error, in words, for a message or a JSON answer."""
        return [e for errors in self.errors.values() for e in errors]


def may_write_notes(user) -> bool:
    """An agent or team lead with a profile at a site, or a CVM manager."""
    held = roles_of(user)
    if held & {Role.CVM_MANAGER, Role.ADMINISTRATOR}:
        return True
    return bool(held & {Role.AGENT, Role.TEAM_LEAD}) and profile_of(user) is not None


@transaction.atomic
def add_note(
    *,
    customer: Customer,
    author,
    tags: Iterable[NeedTag],
    text: str = "",
    channel_kind: str,
    decision: Decision | None = None,
    campaign: Campaign | None = None,
) -> CustomerNote:
    """Record what ``author`` heard ``customer`` needs: at least one active need or some text;
    the text masked (cvm_portal.masking) before it is stored; the author's site (None for CVM
    staff) decides who may read it. Raises ValidationError otherwise."""
    if not may_write_notes(author):
        raise ValidationError(
            _("Only agents and team leads at a site, or CVM managers, write customer-need notes.")
        )
    tags = list(tags)
    if any(not tag.is_active for tag in tags):
        raise ValidationError(_("That need is no longer on the list. Reload the page."))
    text = mask((text or "").strip())[:NOTE_MAX_LENGTH]  # masking never lengthens a text
    if not tags and not text:
        raise ValidationError(NOTHING_TO_SAVE)
    if decision is not None and decision.customer_id != customer.pk:
        raise ValidationError(_("That contact was with another customer."))
    profile = profile_of(author)
    note = CustomerNote.objects.create(
        customer=customer,
        text=text,
        author=author,
        site_id=profile.site_id if profile else None,
        channel_kind=channel_kind,
        decision=decision,
        campaign=campaign,
    )
    note.tags.set(tags)
    record_access(user=author, action="need_note", obj=customer, detail=channel_kind)
    return note


def notes_on(customer_id: int, *, user, limit: int = 20):
    """The notes on a customer ``user`` may read, newest first, with their needs and authors."""
    return (
        CustomerNote.objects.visible_to(user)
        .filter(customer_id=customer_id)
        .select_related("author", "campaign")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")[:limit]
    )
