"""The API answers every body it cannot use with a 4xx and a JSON error, never a 500; and a
server error under /api/ is JSON too."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, get_resolver, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cvm_portal import api, urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class Echo(APIView):
    """The project's API policies (parsers, error handler) and nothing else."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        return Response({"kind": type(request.data).__name__})


@login_not_required
def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("api/echo/", Echo.as_view()),
    path("api/broken/", broken),
    path("broken/", broken),
    *urls.urlpatterns,
]
handler500 = urls.handler500


def post_json(client, body: str, url="/api/echo/"):
    return client.post(url, body, content_type="application/json")


def test_ordinary_json_is_read(client):
    response = post_json(client, '{"customer_id": "C0042", "tags": [1, {"a": 2}]}')

    assert response.status_code == 200 and response.json() == {"kind": "dict"}


def test_a_hundred_thousand_nested_brackets_are_a_400_with_a_json_error(client):
    response = post_json(client, "[" * 100_000)

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


def test_nesting_that_python_can_parse_but_no_request_needs_is_refused_too(client):
    response = post_json(client, "[" * 900 + "]" * 900)

    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("body", ['{"customer_id": ', "{'single': 'quotes'}", "\xff\xfe", "NaN1"])
def test_malformed_json_is_a_400_with_a_json_error(client, body):
    response = post_json(client, body)

    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]


def test_a_body_over_the_upload_limit_is_a_413_with_a_json_error(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = post_json(client, '{"padding": "' + "x" * 2_000 + '"}')

    assert response.status_code == 413 and response.json()["detail"]


def test_a_server_error_under_api_is_json(client):
    client.raise_request_exception = False

    response = client.get("/api/broken/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}


def test_a_server_error_elsewhere_is_still_the_html_page(client):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


def api_views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver("cvm_portal.urls")).url_patterns:
        if isinstance(entry, URLResolver):
            yield from api_views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/"):
            yield prefix + str(entry.pattern), entry.callback


def test_every_api_view_of_the_portal_reads_json_with_the_portals_parser():
    views = list(api_views())
    assert any(route.startswith("api/v1/decisions") for route, _view in views)

    for route, view in views:
        json_parsers = [p for p in view.cls.parser_classes if p.media_type == "application/json"]
        # A view that reads no JSON at all (the USSD gateway reads forms) has none.
        assert json_parsers in ([api.JSONParser], []), route
        if route.startswith("api/v1/ussd"):
            assert json_parsers == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing/", "/api/v1/handovers/not-a-uuid/"])
def test_an_address_under_the_api_that_names_no_operation_is_a_json_404(client, path):
    for answer in (client.get(path), client.post(path, {}, content_type="application/json")):
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/json"
        assert answer.json()["detail"]
