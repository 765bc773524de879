"""Migration channels 0013 lets an agent who holds several leads keep the first only, so that
0014's one-lead-per-agent index can be built on a database the double-click defect left."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from channels.choices import LeadState
from channels.models import Lead
from channels.models.outbound import ONE_LEAD_PER_AGENT
from tests.factories import build_lists, outbound_agent, outbound_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
MIGRATION = "0013_release_extra_leads"


@pytest.fixture
def without_the_index():
    """The leads table as it was before 0014 (the index back afterwards, for other tests)."""
    [constraint] = [c for c in Lead._meta.constraints if c.name == ONE_LEAD_PER_AGENT]
    with connection.schema_editor() as editor:
        editor.remove_constraint(Lead, constraint)
    yield
    with connection.schema_editor() as editor:
        editor.add_constraint(Lead, constraint)


def test_an_agent_holding_several_leads_keeps_the_first_handed_out(without_the_index):
    # Given one agent holding three leads (handed out one after another) and another holding one
    w = outbound_world(5)
    build_lists()
    twice, once = outbound_agent(w.site), outbound_agent(w.site)
    leads = list(Lead.objects.order_by("-score"))
    now = timezone.now()
    for minutes, lead in zip((5, 1, 3), leads[:3], strict=True):
        Lead.objects.filter(pk=lead.pk).update(
            state=LeadState.ASSIGNED,
            assigned_to=twice,
            assigned_at=now - timezone.timedelta(minutes=minutes),
        )
    Lead.objects.filter(pk=leads[3].pk).update(
        state=LeadState.ASSIGNED, assigned_to=once, assigned_at=now
    )

    # When the migration runs
    migration = importlib.import_module(f"channels.migrations.{MIGRATION}")
    apps = MigrationLoader(connection).project_state(("channels", MIGRATION)).apps
    with connection.schema_editor() as editor:
        migration.release_extra_leads(apps, editor)

    # Then each agent holds one lead, the first one handed out; the others wait again
    held = dict(Lead.objects.filter(state=LeadState.ASSIGNED).values_list("assigned_to_id", "pk"))
    assert held == {twice.pk: leads[0].pk, once.pk: leads[3].pk}
    for lead in leads[1:3]:
        lead.refresh_from_db()
        assert (lead.state, lead.assigned_to_id, lead.assigned_at) == (
            LeadState.WAITING, None, None,
        )  # fmt: skip
