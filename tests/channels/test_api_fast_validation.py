"""The decision API's fast path checks a body by the rules of DecisionRequestSerializer (which the
OpenAPI schema is generated from): what it accepts, the serializer accepts with the same
values; what the serializer refuses, it refuses (and DRF's path answers with the field errors).
A form it leaves to the serializer (an unknown key) is
answered by DRF's path, correctly and more slowly."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.models import Intent
from channels.api import fast
from channels.api.serializers import DecisionRequestSerializer

pytestmark = pytest.mark.django_db

ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=70),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
TEXTS = st.one_of(
    st.text(max_size=70),
    st.sampled_from(["C0042", " C0042 ", "", "   ", "a\x00b", "x" * 64, "x" * 65, " " + "x" * 64]),
)
BOOLEANS = st.sampled_from(
    [True, False, 1, 0, 1.0, 0.0, 2, "true", "True", "TRUE", "false", "yes", "no", "on", "off",
     "t", "f", "y", "n", "1", "0", "", "null", None, "maybe", [], {}]
)  # fmt: skip
BUDGETS = st.one_of(
    st.integers(min_value=-10, max_value=6000),
    st.sampled_from(
        ["10", "5000", "150", " 150 ", "150.0", "150.00 ", "150.5", "1_000", "", "x", None, True,
         150.0, 150.5, 9, 5001, "9" * 1001, [150]]
    ),
)  # fmt: skip
CONTEXTS = st.one_of(
    st.dictionaries(
        st.sampled_from(["page", "product", "family", "intent", "device", "other"]),
        st.one_of(
            st.sampled_from(
                [
                    "/roaming",
                    "app:home",
                    "TV-PLUS",
                    "tv",
                    "mobile",
                    "broadband",
                    "cancel",
                    "roaming",
                    "nope",
                    "phone",
                    "desktop",
                    "",
                    " ",
                    "x" * 41,
                    "x" * 201,
                    "a\x00",
                ]
            ),
            ANY_SCALAR,
        ),  # fmt: skip
        max_size=5,
    ),
    ANY_SCALAR,
)
OPTIONAL = {"explain": BOOLEANS, "budget_ms": BUDGETS, "context": CONTEXTS, "extra": ANY_SCALAR}
BODIES = st.one_of(
    st.fixed_dictionaries(
        {"customer_id": TEXTS, "channel_kind": st.sampled_from(["web", "app", "ivr", "sms", ""])},
        optional=OPTIONAL,
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "customer_id": st.one_of(TEXTS, ANY_SCALAR),
            "channel_kind": st.one_of(st.just("web"), ANY_SCALAR),
            **OPTIONAL,
        },
    ),
    ANY_SCALAR,
)


@pytest.fixture
def intents():
    for code, active in (("cancel", True), ("roaming", True), ("old", False)):
        Intent.objects.update_or_create(code=code, defaults={"name": code, "is_active": active})


def _serializer(body):
    incoming = DecisionRequestSerializer(data=body)
    if not incoming.is_valid():
        return None
    data = dict(incoming.validated_data)
    if "context" in data:
        data["context"] = dict(data["context"])
    return data


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_the_fast_check_agrees_with_the_serializer(intents, body):
    # Given any body; when both check it
    fast_data, serializer_data = fast.validate(body), _serializer(body)
    # Then what the fast check accepts the serializer accepts, with the same values
    if fast_data is not None:
        assert fast_data == serializer_data
    # and what the serializer refuses the fast check refuses
    if serializer_data is None:
        assert fast_data is None


@pytest.mark.parametrize(
    "body",
    [
        {"customer_id": "C0042", "channel_kind": "web"},
        {"customer_id": " C0042 ", "channel_kind": "app", "explain": True},
        {"customer_id": "C0042", "channel_kind": "chatbot", "explain": False, "budget_ms": 80},
        {"customer_id": "C0042", "channel_kind": "web", "budget_ms": 150.0},
        {"customer_id": "C0042", "channel_kind": "web", "context": {}},
        {
            "customer_id": "C0042",
            "channel_kind": "web",
            "context": {
                "page": "/tv",
                "product": "TV-PLUS",
                "family": "tv",
                "intent": "roaming",
                "device": "phone",
            },
        },  # fmt: skip
    ],
)
def test_what_clients_send_takes_the_fast_path(intents, body):
    # Given a body as integrators send them; then the fast check takes it, as the serializer does
    assert fast.validate(body) is not None
    assert fast.validate(body) == _serializer(body)


@pytest.mark.parametrize(
    "body",
    [
        {"customer_id": "", "channel_kind": "web"},
        {"customer_id": "C0042"},
        {"customer_id": "C0042", "channel_kind": "fax"},
        {"customer_id": "C0042", "channel_kind": "web", "budget_ms": 9},
        {"customer_id": "C0042", "channel_kind": "web", "budget_ms": 5001},
        {"customer_id": "C0042", "channel_kind": "web", "explain": None},
        {"customer_id": "C0042", "channel_kind": "web", "explain": 0},
        {"customer_id": "C0042", "channel_kind": "web", "explain": "true"},
        {"customer_id": "C0042", "channel_kind": "web", "budget_ms": "150"},
        {"customer_id": 42, "channel_kind": "web"},
        {"customer_id": "C0042", "channel_kind": "web", "context": {"intent": "old"}},
        {"customer_id": "C0042", "channel_kind": "web", "context": {"page": ""}},
        {"customer_id": "x" * 65, "channel_kind": "web"},
        ["C0042"],
    ],
)
def test_what_the_serializer_refuses_the_fast_check_refuses(intents, body):
    assert _serializer(body) is None
    assert fast.validate(body) is None
