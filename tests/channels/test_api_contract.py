"""The API does what its served OpenAPI schema says: schemathesis (``st run``, every check)
against a live portal finds no server error, no undocumented status and no schema violation.

The schema is fetched over HTTP with the API client's key, as an integrator fetches it, and
handed to ``st`` as a file; ``st`` then calls the live server with that key (its client may ask
for every digital channel kind), over real customers and presentations. A fixed seed and a bounded
number of examples keep the run repeatable and short. On a finding the test fails with st's
report, which ends with a ``curl`` line to reproduce each case.
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Decision
from channels.models import ApiClient
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    UserFactory,
    api_client,
    target_group,
)

ST = Path(sys.executable).with_name("st")
ROOT = Path(__file__).resolve().parents[2]
SEED = 17
EXAMPLES = 25  # per operation and phase: enough to find what a changed view breaks, in < 60 s
DIGITAL = [kind for kind in ChannelKind if kind not in ChannelKind.assisted()]
CONFIG = ROOT / "schemathesis.toml"  # the documented answers a schema cannot state


# Transactional (the live server is another thread); serialized rollback gives the rows the
# migrations made (role groups, decline reasons) back to the tests after this one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def contract_world():
    """Three customers with a live offer on every digital channel, an API client allowed every
    digital kind, and one decision per kind (so presentations exist); returns the key."""
    customers = [
        CustomerFactory(external_id=f"C{n:04d}", consent_sms=True, consent_marketing=True)
        for n in range(3)
    ]
    offer = OfferFactory(code="DATA-20", channel_kinds=DIGITAL)
    for kind in DIGITAL:
        OfferContentFactory(offer=offer, channel_kind=kind, agent_script="")
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer], channel_kinds=DIGITAL)
    target_group(campaign, [{"customer": c, "propensity": 0.4} for c in customers])
    client, key = api_client("contract", kinds=DIGITAL)
    ApiClient.objects.filter(pk=client.pk).update(attaches_recordings=True)  # and a telephony one
    call = Decision.objects.create(
        customer=customers[2],
        channel_kind=ChannelKind.INBOUND_CALL,
        agent=UserFactory(),  # an inbound agent's console decision: a call to record
    )
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    presentations = []
    for kind in DIGITAL:
        body = {"customer_id": customers[0].external_id, "channel_kind": kind}
        answer = caller.post("/api/v1/decisions/", body, format="json")
        assert answer.status_code in (200, 201), answer.content
        presentations += [offer["presentation_id"] for offer in answer.json()["offers"]]
    assert presentations, "no decision presented an offer"
    return {
        "key": key,
        "customer_id": customers[1].external_id,
        "presentation": presentations[0],
        "call": str(call.pk),
    }


def with_examples(schema: dict, world: dict) -> dict:
    """The schema with a request example on the operations that need real ids, so st's
    examples phase reaches their core logic (random ids only meet 404)."""
    examples = {
        "/api/v1/decisions/": {"customer_id": world["customer_id"], "channel_kind": "app"},
        "/api/v1/outcomes/": {
            "presentation_id": world["presentation"],
            "outcome": "declined",
            "decline_reason": "price",
        },
        "/api/v1/recordings/": {
            "reference": "rec-contract-1",
            "url": "https://pbx.example.com/rec/1",
            "duration_s": 120,
            "decision_id": world["call"],
        },
    }
    for path, example in examples.items():
        schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"] = (
            example
        )
    for parameter in schema["paths"]["/api/v1/support-options/"]["get"]["parameters"]:
        if parameter["name"] == "customer_id":  # a real customer: past the 404
            parameter["example"] = world["customer_id"]
    return schema


def served_schema(url: str, key: str) -> dict:
    """The schema as /api/schema/ serves it to an API client over HTTP, with its key: what an
    integrator runs st on."""
    address = f"{url}/api/schema/?format=json"  # the live server's: http
    request = urllib.request.Request(address, headers={"Authorization": f"Api-Key {key}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        assert response.status == 200
        return json.loads(response.read())


@pytest.mark.skipif(not ST.exists(), reason="needs schemathesis: pip install -e '.[test]'")
def test_schemathesis_finds_nothing_against_the_served_schema(
    contract_world, live_server, tmp_path, settings
):
    # Given the schema the portal serves, and a key allowed every digital kind
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "100000/minute",  # st's missing-key cases must reach the views, not 429
        },
    }
    schema = served_schema(live_server.url, contract_world["key"])
    assert schema["paths"], "the served schema lists no operation"
    schema = with_examples(schema, contract_world)
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(schema))

    # When st runs every check against the live portal
    command = [
        str(ST), "--no-color", "--config-file", str(CONFIG), "run", str(schema_file),
        "--url", live_server.url,
        "--checks", "all",
        "--header", f"Authorization: Api-Key {contract_world['key']}",
        "--max-examples", str(EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",  # one request at a time: SQLite's live server shares one connection
        "--request-timeout", "20",
    ]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    run = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    shutil.rmtree(tmp_path / ".schemathesis", ignore_errors=True)

    # Then it finds nothing
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found problems:\n{report}"
