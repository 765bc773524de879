"""Contact preferences from the console: the customer in front of the agent withdraws a
consent, or asks not to be contacted at all. Recorded by ``campaigns.preferences.withdraw``:
in effect for every channel from the next decision on, audited, kept over the snapshots."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.models import Customer, PreferenceField
from campaigns.preferences import withdraw
from channels.models.sites import profile_of
from cvm_portal.roles import Role, role_required

from .links import LinkExpired, NotYourLink, customer_id_from, customer_url

INCLUDE = "channels/includes/contact_preferences.html"


class WithdrawForm(forms.Form):
    """What the customer withdraws (one or more consents, or everything), and the agent's
    confirmation that the customer asked for it: a stray tap records nothing."""

    withdraw = forms.MultipleChoiceField(
        choices=PreferenceField.choices,
        error_messages={
            "required": _(
                "Choose which consent the customer withdraws, or “Do not contact at all”."
            ),
            "invalid_choice": _(
                "Only a withdrawal can be recorded here: choose a consent the customer gives up."
            ),
        },
    )
    confirm = forms.BooleanField(
        error_messages={
            "required": _("Tick “The customer asked for this” to record the withdrawal."),
        }
    )

    def first_error(self) -> str:
        for field in ("withdraw", "confirm"):
            if field in self.errors:
                return self.errors[field][0]
        return _("Check the form and try again.")


def _recorded_message(changes) -> str:
    """The message after a plain form post: the page is built again, so its offers respect it."""
    if not changes:
        return _("Nothing to change: that was already withdrawn.")
    return _("Withdrawal recorded: %(what)s. The offers below respect it.") % {
        "what": ", ".join(str(c.get_field_display()) for c in changes)
    }


@require_POST
@role_required(Role.AGENT)
def withdraw_consent(request: HttpRequest, token: str) -> HttpResponse:
    """Who may use it: the agent whose look-up made ``token`` (any other: 404), while it is
    fresh; POST only, with the CSRF token. htmx gets the updated preferences back; a plain
    form post goes back to the customer's page with a message."""
    try:
        customer_id = customer_id_from(user=request.user, token=token)
    except NotYourLink:
        raise Http404 from None
    except LinkExpired:
        expired = _("The link to this customer has expired: nothing was recorded. Find them again.")
        if request.htmx:
            return render(request, INCLUDE, {"expired": expired}, status=422)
        messages.info(request, expired)
        return redirect("channels:console")
    customer = get_object_or_404(Customer, pk=customer_id)
    form = WithdrawForm(request.POST)
    changes, error = None, None
    if form.is_valid():
        profile = profile_of(request.user)
        try:
            changes = withdraw(
                customer=customer,
                fields=form.cleaned_data["withdraw"],
                agent=request.user,
                site_id=profile.site_id if profile else None,
            )
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = form.first_error()
    if request.htmx:
        context = {
            "customer": customer,
            "token": token,
            "changes": changes,
            "unchanged": changes == [],
            "error": error,
            "open": True,
            "oob": True,  # the customer's header shows the consents as they are now
        }
        return render(request, INCLUDE, context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _recorded_message(changes))
    return redirect(customer_url(user=request.user, customer_id=customer.pk))
