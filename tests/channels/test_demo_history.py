"""The demo's past contacts: dated over the weeks asked for, never the README's customers, and
written once however often ``make demo`` runs."""

import io
import os
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from campaigns.models import Decision
from cvm_portal.roles import sync_role_groups


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_history_spreads_contacts_over_past_days_and_is_written_once(inbox):
    # A transactional test (the loads commit on PostgreSQL) starts without the role groups
    # the migrations made; the demo needs them.
    ContentType.objects.clear_cache()  # an earlier transactional test's flush left it stale
    sync_role_groups()
    call_command("demo", customers=60, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("demo_history", days=7, contacts=2, stdout=io.StringIO())
    span = Decision.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["first"] < timezone.now() - timedelta(days=5)  # dated into the past, not now
    assert span["last"] <= timezone.now()
    assert not Decision.objects.filter(customer__external_id__lte="C0000020").exists()
    written = Decision.objects.count()

    out = io.StringIO()
    call_command("demo_history", days=7, contacts=2, stdout=out)
    assert Decision.objects.count() == written
    assert "nothing added" in out.getvalue()
