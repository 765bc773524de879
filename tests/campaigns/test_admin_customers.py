"""The admin's customer list: every page it shows is audited, and its search is posted, so a
phone number never reaches an address (browser history, proxy and server logs)."""

import re

import pytest

from campaigns.choices import Segment
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/campaigns/customer/"
SEARCH = "/admin/campaigns/customer/search/"


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER, username="cvm-manager")
    client.force_login(user)
    return user


@pytest.fixture
def customer():
    return CustomerFactory(phone="+48501234567", external_id="C0042", name="Ada Nowak")


def test_the_search_form_posts_and_the_list_address_carries_only_an_opaque_id(
    client, manager, customer
):
    # Given the list's search form
    page = client.get(LIST).content.decode()
    assert re.search(
        r'<form id="changelist-search" method="post" action="/admin/campaigns/customer/search/"',
        page,
    )
    # When the manager searches for a phone number
    posted = client.post(SEARCH, {"q": "501 234 567"})
    # Then the list's address names the search, not the number
    assert posted.status_code == 302
    assert re.fullmatch(r"/admin/campaigns/customer/\?s=[\w-]+", posted.url)
    results = client.get(posted.url).content.decode()
    assert "C0042" in results and 'value="501 234 567"' in results
    # And the list's own links (sorting, paging, "show all") carry the id, never the term
    assert "?q=" not in results and "501+234" not in results and "501%20234" not in results
    assert posted.url.split("?")[1] in results


def test_an_address_with_a_term_in_it_is_moved_to_the_session(client, manager, customer):
    response = client.get(LIST, {"q": "+48501234567", "segment__exact": customer.segment})
    assert response.status_code == 302
    assert "48501234567" not in response.url and "segment__exact=" in response.url
    assert "C0042" in client.get(response.url).content.decode()


def test_every_list_page_is_audited_with_what_it_showed(client, manager, customer):
    # Given three customers
    CustomerFactory(segment=Segment.SMALL_BUSINESS)
    CustomerFactory(segment=Segment.SMALL_BUSINESS)
    # When the manager opens the list, filters it and searches it
    client.get(LIST)
    client.get(LIST, {"segment__exact": Segment.SMALL_BUSINESS})
    client.get(client.post(SEARCH, {"q": "Ada Nowak"}).url)
    # Then each page is one event: who, which page, how many customers, the filters, the term
    events = list(
        AuditEvent.objects.filter(user=manager).order_by("pk").values_list("action", "detail")
    )
    mass = AuditEvent.objects.filter(detail__contains="segment__exact").count()
    assert events[0] == ("list", "admin customer list: page 1, 3 shown")
    assert events[1][0] == "list" and "page 1" in events[1][1] and mass == 1
    assert events[2] == ("search", "admin customer list: page 1, 1 shown; search: Ada Nowak")


def test_a_search_id_of_another_session_searches_nothing(client, manager, customer, make_user):
    url = client.post(SEARCH, {"q": "C0042"}).url
    other = make_user(Role.CVM_MANAGER)
    client.force_login(other)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "That search is no longer available" in response.content.decode()


def test_a_search_from_a_lookup_popup_stays_a_popup(client, manager, customer):
    posted = client.post(SEARCH, {"q": "C0042", "_popup": "1", "_to_field": "id"})
    assert "_popup=1" in posted.url and "_to_field=id" in posted.url and "s=" in posted.url
    assert "C0042" in client.get(posted.url).content.decode()


def test_the_search_needs_a_post_and_a_user_who_may_see_customers(client, make_user, customer):
    trainer = make_user(Role.TRAINER)  # may view customers (catalogue reading), is not staff
    client.force_login(trainer)
    assert client.post(SEARCH, {"q": "C0042"}).status_code == 302  # to the admin's login
    client.force_login(make_user(Role.CVM_MANAGER))
    assert client.get(SEARCH).status_code == 302
    assert not AuditEvent.objects.filter(action="search").exists()
