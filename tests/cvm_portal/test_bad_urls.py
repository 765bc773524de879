"""Numbers in URLs and query strings that no database can hold: a 404 or a 400, never a 500."""

import pytest
from django.urls import reverse

from channels.choices import SiteKind
from cvm_portal.converters import MAX_ID
from cvm_portal.roles import Role
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: beyond a 64-bit integer


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.AGENT, f"/training/mine/{HUGE}/"),
        (Role.AGENT, f"/training/mine/{MAX_ID + 1}/"),
        (Role.AGENT, f"/bonus/statements/{HUGE}/"),
        (Role.CVM_MANAGER, f"/cvm/loads/{HUGE}/"),
        (Role.CVM_MANAGER, f"/cvm/loads/{HUGE}/rejects.csv"),
        (Role.CVM_MANAGER, f"/bonus/plans/{HUGE}/"),
        (Role.TRAINER, f"/training/guides/{HUGE}/edit/"),
    ],
)
def test_an_id_beyond_the_databases_integers_is_a_404(client, make_user, role, path):
    client.force_login(make_user(role))
    assert client.get(path).status_code == 404


def test_the_largest_id_is_still_looked_up(client, make_user):
    client.force_login(make_user(Role.AGENT))
    assert client.get(f"/training/mine/{MAX_ID}/").status_code == 404  # no such guide: a 404 too
    assert reverse("training:guide_read", args=[MAX_ID]) == f"/training/mine/{MAX_ID}/"


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12", "1999-12", "2100-01"])
def test_an_agency_month_out_of_range_is_a_400_that_says_which_months(client, make_user, month):
    SiteFactory(kind=SiteKind.AGENCY, name="TeleSales Ltd")
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get(f"/bonus/agencies/?month={month}")
    assert page.status_code == 400
    assert "Choose a month from 2000-01 to 2099-12." in page.content.decode()


def test_an_agency_month_in_range_is_shown(client, make_user):
    SiteFactory(kind=SiteKind.AGENCY, name="TeleSales Ltd")
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get("/bonus/agencies/?month=2026-02")
    assert page.status_code == 200 and 'value="2026-02"' in page.content.decode()
    assert client.get("/bonus/agencies/?month=13").status_code == 400
