"""The fast decision API: two statements per decision on PostgreSQL (the customer with their
facts; the decision with its presentations and the audit row), the lean /api/v1/ handler,
and API keys remembered briefly."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Decision
from channels.api import auth
from channels.models import ApiKey
from cvm_portal.models import AuditEvent
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, api_client, target_group


def _world():
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()  # a transactional test starts from empty tables
    customer = CustomerFactory(external_id="C0042", consent_digital=True, consent_marketing=True)
    offer = OfferFactory(code="DATA-20", channel_kinds=[ChannelKind.WEB])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.WEB]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.3}])
    return api_client()


BODY = {"customer_id": "C0042", "channel_kind": "web"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_decision_reads_once_and_writes_once_with_its_audit_row():
    # Given a client whose key and catalogue are warm
    client, key = _world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.post("/api/v1/decisions/", BODY, format="json").status_code == 201
    auth.remember_keys()
    try:
        api.post("/api/v1/decisions/", BODY, format="json")
        # When it asks again
        with CaptureQueriesContext(connection) as queries:
            response = api.post("/api/v1/decisions/", BODY, format="json")
    finally:
        auth.remember_keys(False)
    # Then: the customer with their facts, the decision with its audit row — the time limit
    # is on the connection already (an earlier decision left it: nothing more is sent)
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2, statements
    assert "campaigns_customer" in statements[0] and "campaigns_targetgroupmember" in statements[0]
    assert "cvm_portal_auditevent" in statements[1] and "campaigns_presentation" in statements[1]
    # and the decision and its audit row were written together
    decision = Decision.objects.get(pk=response.json()["decision_id"])
    audit = AuditEvent.objects.filter(user=client.user, action="decide", detail="api").latest("at")
    assert audit.at == decision.created_at
    assert audit.object_id == str(decision.customer_id)


@pytest.mark.django_db
def test_a_remembered_key_is_forgotten_when_it_is_revoked_here():
    # Given a key this process remembers
    _client, key = _world()
    auth.remember_keys()
    try:
        assert auth._verified_key(key) is not None
        # When the key is revoked (through the model, as the admin's single-key revoke does)
        row = ApiKey.objects.get(prefix=key.split(".")[0])
        row.revoked = True
        row.save()
        # Then the next call is refused
        assert auth._verified_key(key) is None
    finally:
        auth.remember_keys(False)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_lean_api_handler_answers_as_the_whole_stack_does(settings):
    # Given the portal's WSGI application (as gunicorn runs it)
    from cvm_portal.wsgi import application

    _client, key = _world()
    body = json.dumps(BODY).encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/decisions/", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Api-Key {key}",
        "HTTP_ACCEPT_LANGUAGE": "pl",
    }  # fmt: skip
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    # When a decision is asked through it
    content = b"".join(application(environ, start_response))
    # Then it is the API's answer, in the language asked, with no session cookie set
    assert answer["status"].startswith("201"), content
    assert json.loads(content)["offers"][0]["offer_code"] == "DATA-20"
    assert answer["headers"]["Content-Language"] == "pl"
    assert "Set-Cookie" not in answer["headers"]


def _both_paths(monkeypatch, api, body):
    """The answer to ``body`` on the fast path, and on DRF's whole path (the same body with a
    key the fast path leaves to the serializer, which ignores it), each with the path taken."""
    from channels.api import fast

    taken, respond = [], fast.respond

    def spy(view, request):
        answer = respond(view, request)
        taken.append(answer is not None)
        return answer

    monkeypatch.setattr("channels.api.views.fast.respond", spy)
    quick = api.post("/api/v1/decisions/", body, format="json")
    whole = api.post("/api/v1/decisions/", {**body, "unknown": 1}, format="json")
    return quick, whole, taken


def _without_ids(answer: dict) -> dict:
    return {
        **answer,
        "decision_id": None,
        "offers": [{**o, "presentation_id": None} for o in answer["offers"]],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("explain", [False, True])
def test_the_fast_path_answers_as_drf_s_whole_path(monkeypatch, explain):
    # Given a client, and a decision asked on each path
    _client, key = _world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}", HTTP_ACCEPT_LANGUAGE="pl")
    body = {**BODY, "explain": explain, "context": {"page": "/tv"}}
    # When both answer
    quick, whole, taken = _both_paths(monkeypatch, api, body)
    # Then the first took the fast path and the second DRF's, and they say the same
    assert taken == [True, False]
    assert (quick.status_code, whole.status_code) == (201, 201)
    assert _without_ids(quick.json()) == _without_ids(whole.json())
    assert quick.json()["offers"][0]["offer_code"] == "DATA-20"
    assert ("not_offered" in quick.json()) is explain
    for header in ("Content-Type", "Allow", "Content-Language", "Vary"):
        assert quick.headers[header] == whole.headers[header], header
    # and both decisions were recorded, each with its audit row
    assert Decision.objects.count() == 2
    assert AuditEvent.objects.filter(action="decide", detail="api").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [({"customer_id": "C0042", "channel_kind": "app"}, 403), ({**BODY, "customer_id": "C9"}, 404)],
)
def test_the_fast_path_refuses_as_drf_s_whole_path(monkeypatch, body, status):
    # Given a client for web only
    _client, key = _world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    # When it asks for another kind, or for a customer nobody has, on each path
    quick, whole, taken = _both_paths(monkeypatch, api, body)
    # Then both refuse alike
    assert taken == [True, False]
    assert quick.status_code == whole.status_code == status
    assert quick.json() == whole.json()
    assert quick["Allow"] == whole["Allow"] == "POST, OPTIONS"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"CONTENT_TYPE": "text/plain"}, 415),
        ({"HTTP_ACCEPT": "text/html"}, 406),
        ({"HTTP_AUTHORIZATION": "Api-Key nope.nope"}, 401),
        ({"HTTP_X_DECISION_BUDGET_MS": "0"}, 400),
        ({"QUERY_STRING": "explain=maybe"}, 400),
    ],
)
def test_what_the_fast_path_leaves_is_refused_by_drf_as_before(extra, status):
    # Given a client
    _client, key = _world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    # When a request is not an ordinary one
    extra = dict(extra)
    api.credentials(HTTP_AUTHORIZATION=extra.pop("HTTP_AUTHORIZATION", f"Api-Key {key}"))
    content_type = extra.pop("CONTENT_TYPE", "application/json")
    response = api.generic(
        "POST", "/api/v1/decisions/", json.dumps(BODY), content_type=content_type, **extra
    )
    # Then DRF's path answers it with its own refusal, and nothing is recorded
    assert response.status_code == status, response.content
    assert "detail" in response.json() or response.status_code == 400
    assert not Decision.objects.exists()
