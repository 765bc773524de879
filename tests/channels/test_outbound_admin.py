"""CVM managers set outbound shares, rates and retry rules in the admin; the menu leads there."""

import pytest
from django.contrib.auth.models import Group, Permission

from channels.choices import SiteKind
from channels.models import OutboundShare
from cvm_portal.roles import ALL_PERMISSIONS, ROLE_PERMISSIONS, Role
from tests.factories import OUT, SiteFactory, outbound_world

pytestmark = pytest.mark.django_db


def test_every_permission_a_role_names_exists():
    for role, perms in ROLE_PERMISSIONS.items():
        if perms == ALL_PERMISSIONS:
            continue
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), f"{role}: {perm}"


def test_cvm_managers_may_edit_outbound_shares_and_settings():
    group = Group.objects.get(name=Role.CVM_MANAGER)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_outboundshare", "change_outboundsettings", "view_lead"} <= codenames
    assert "change_lead" not in codenames


def test_a_share_that_would_pass_100_percent_is_refused_with_the_reason(client, make_user):
    w = outbound_world(0)
    client.force_login(make_user(Role.CVM_MANAGER))
    other = SiteFactory(kind=SiteKind.OUTBOUND_CENTRE)
    response = client.post(
        "/admin/channels/outboundshare/add/",
        {
            "campaign": w.campaign.pk,
            "site": other.pk,
            "share": 30,
            "rate_per_conversion": "0",
            "rate_per_reached": "0",
        },
    )
    assert response.status_code == 200
    assert "would add up to 130%; at most 100%" in response.content.decode()
    assert OutboundShare.objects.count() == 1


def test_an_outbound_team_lead_finds_the_call_lists_in_the_menu(client, make_user):
    site = SiteFactory(kind=SiteKind.AGENCY)
    client.force_login(make_user(Role.TEAM_LEAD, site=site, channel_kind=OUT))
    labels = [str(item["label"]) for item in client.get("/team/").context["nav_items"]]
    assert labels == [
        "My workspace",
        "Outbound calls",
        "Call lists",
        "Team bonus",
        "Results",
        "Sites",
        "My training",
        "My results",
        "Training dashboard",
        "Sales digest",
        "My bonus",
    ]


def test_calling_hours_must_end_after_they_start():
    from datetime import time

    from django.core.exceptions import ValidationError

    site = SiteFactory.build(kind=SiteKind.AGENCY, calls_from=time(20), calls_until=time(9))
    with pytest.raises(ValidationError) as err:
        site.full_clean()
    assert "Calls must end after they start (20:00)." in str(err.value)
