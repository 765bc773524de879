"""The API's audit trail says what a client was given, not what it asked for."""

import pytest
from rest_framework.test import APIClient

from campaigns.choices import ChannelKind
from cvm_portal.models import AuditEvent
from tests.factories import CustomerFactory, api_client

pytestmark = pytest.mark.django_db


def test_a_decision_that_fails_is_not_audited_as_given(monkeypatch):
    # Given a client and a customer, and decisioning that fails
    CustomerFactory(external_id="C0042")
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def failing_decide(**kwargs):
        raise RuntimeError("decisioning is down")

    monkeypatch.setattr("channels.api.decisions.decide", failing_decide)
    # When the client asks for a decision
    response = api.post(
        "/api/v1/decisions/", {"customer_id": "C0042", "channel_kind": "web"}, format="json"
    )
    # Then it got an error, and the trail does not say it was given the customer's offers
    assert response.status_code == 500
    assert not AuditEvent.objects.filter(action="decide").exists()
