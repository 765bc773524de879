"""The customer list in the admin: personal data, so every page it shows is audited, and its
search is posted and kept in the session, so no phone number reaches an address."""

import secrets
from contextlib import suppress
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cvm_portal.audit import record_access

from .choices import CONTACT_FLAG_FIELDS
from .models import ContactPreferenceChange, Customer
from .phones import normalise_phone
from .preferences import retire_overrides

SEARCH_ID_VAR = "s"  # the customer list's address names a search kept in the session
_SEARCHES = "admin_customer_searches"
_SEARCHES_KEPT = 20


def _save_search(request, term: str) -> str:
    """Keep ``term`` in the user's session; the opaque id that names it there."""
    searches = request.session.get(_SEARCHES, {})
    search_id = next((sid for sid, kept in searches.items() if kept == term), None)
    if search_id is None:
        search_id = secrets.token_urlsafe(6)
        searches[search_id] = term
        while len(searches) > _SEARCHES_KEPT:
            searches.pop(next(iter(searches)))
        request.session[_SEARCHES] = searches
    return search_id


def _saved_search(request, search_id: str) -> str | None:
    return request.session.get(_SEARCHES, {}).get(search_id)


class CustomerChangeList(ChangeList):
    """The customer list, searched by a term kept in the session: its address carries the
    search's id (``s``), never a phone number or a name."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_ID_VAR, None)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        self.query = _saved_search(request, request.GET.get(SEARCH_ID_VAR, "")) or ""
        return super().get_queryset(request, exclude_parameters)

    @property
    def clear_search_url(self) -> str:
        return self.get_query_string(remove=[SEARCH_ID_VAR, PAGE_VAR])


class PreferenceChangeInline(admin.TabularInline):
    """The customer's contact preferences changed outside the snapshot (console withdrawals,
    and the warehouse's newer changes that ended one), read-only: the record of who did what."""

    model = ContactPreferenceChange
    fk_name = "customer"
    fields = ["at", "field", "old_value", "new_value", "source", "agent", "site_id", "retired_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("contact preference changes (console and warehouse)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")

    def has_view_permission(self, request, obj=None):  # noqa: ARG002 - Django's signature
        # Part of the customer's record: whoever may see the customer sees how it changed.
        return request.user.has_perm("campaigns.view_customer")

    def has_add_permission(self, request, obj=None):  # noqa: ARG002 - Django's signature
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002 - Django's signature
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002 - Django's signature
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Personal data: every list page (what it showed), every search and every opened record
    is written to the audit trail. Searches are posted, so no phone number reaches an address,
    a browser's history or an access log."""

    list_display = [
        "external_id",
        "name",
        "phone",
        "segment",
        "value_tier",
        "customer_since",
        "do_not_contact",
    ]
    list_filter = ["segment", "value_tier", "do_not_contact", "preferred_channel", "consent_calls"]
    search_fields = ["=external_id", "=phone", "name"]
    search_help_text = _("Customer id, phone number (any format) or name.")
    inlines = [PreferenceChangeInline]
    show_full_result_count = False  # COUNT(*) over millions of customers is not worth its time
    readonly_fields = ["do_not_contact_since", "holdings", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["external_id", "name", "phone"]}),
        (
            _("Profile"),
            {"fields": ["segment", "value_tier", "customer_since", "preferred_channel"]},
        ),
        (
            _("Consent"),
            {
                "fields": [
                    "consent_marketing",
                    "consent_calls",
                    "consent_sms",
                    "consent_app_push",
                    "consent_digital",
                    "do_not_contact",
                    "do_not_contact_since",
                ]
            },
        ),
        (_("Products held"), {"fields": ["holdings"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_urls(self):
        search = path(
            "search/",
            self.admin_site.admin_view(self.search_view),
            name="campaigns_customer_search",
        )
        return [search, *super().get_urls()]

    def get_changelist(self, request, **kwargs):  # noqa: ARG002 - Django's signature
        return CustomerChangeList

    def search_view(self, request):
        """The list's search form posts here; the term goes to the session, the list's address
        gets its id. Other parameters of the list (filters, ordering, popup) are kept."""
        if request.method != "POST":
            return redirect("admin:campaigns_customer_changelist")
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        ignored = {"csrfmiddlewaretoken", SEARCH_VAR, SEARCH_ID_VAR, PAGE_VAR}
        params = {k: v for k, v in request.POST.items() if k not in ignored}
        term = request.POST.get(SEARCH_VAR, "").strip()[:200]
        if term:
            params[SEARCH_ID_VAR] = _save_search(request, term)
        url = reverse("admin:campaigns_customer_changelist")
        return redirect(f"{url}?{urlencode(params)}" if params else url)

    def changelist_view(self, request, extra_context=None):
        if SEARCH_VAR in request.GET:
            # An address with the term in it (typed, or bookmarked before searches were
            # posted): keep the term in the session and continue without it in the address.
            params = request.GET.copy()
            term = params.pop(SEARCH_VAR)[-1].strip()[:200]
            params.pop(PAGE_VAR, None)
            if term:
                params[SEARCH_ID_VAR] = _save_search(request, term)
            return redirect(f"{request.path}?{params.urlencode()}")
        search_id = request.GET.get(SEARCH_ID_VAR)
        if search_id and _saved_search(request, search_id) is None:
            messages.warning(request, _("That search is no longer available. Search again."))
            params = request.GET.copy()
            params.pop(SEARCH_ID_VAR)
            return redirect(f"{request.path}?{params.urlencode()}" if params else request.path)
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        if cl is not None:
            self._audit_list(request, cl)
        return response

    def _audit_list(self, request, cl: ChangeList) -> None:
        """One event per list page: what it showed (page, count, search, filters)."""
        shown = len(cl.result_list)  # evaluated once; the template reuses the rows
        parts = [f"admin customer list: page {cl.page_num}, {shown} shown"]
        if cl.query:
            parts.append(f"search: {cl.query}")
        others = {k: v for k, v in cl.params.items() if k != SEARCH_ID_VAR}
        if others:
            parts.append(f"filters: {urlencode(others)}")
        record_access(
            user=request.user, action="search" if cl.query else "list", detail="; ".join(parts)
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A consent set here by hand ends a console withdrawal of it: the next snapshot must
        # not put the withdrawal back.
        edited = [f for f in form.changed_data if f in CONTACT_FLAG_FIELDS]
        if change and edited:
            retire_overrides(customer=obj, fields=edited)

    def get_search_results(self, request, queryset, search_term):
        if search_term:
            with suppress(ValidationError):  # not a phone number: searched as typed
                search_term = normalise_phone(search_term)
        return super().get_search_results(request, queryset, search_term)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, object_id)
        if customer is not None:
            record_access(user=request.user, action="view", obj=customer, detail="admin")
        return super().change_view(request, object_id, form_url, extra_context)
