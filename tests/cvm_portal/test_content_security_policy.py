"""Content-Security-Policy: scripts only from the portal's own files; nothing inline to allow."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from cvm_portal.roles import Role

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]

INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on (needs eval)": re.compile(r"\shx-on[:\-=]", re.I),
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_no_template_holds_anything_the_policy_would_block():
    found = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            for what, pattern in INLINE.items():
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []


@pytest.mark.django_db
def test_every_page_allows_scripts_and_styles_from_the_portal_only(client):
    policy = directives(client.get("/accounts/login/"))

    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_the_api_docs_page_allows_inline_styles_but_still_no_inline_script(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))

    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    policy = directives(page)
    assert page.status_code == 200
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" in policy["style-src"]
    assert not INLINE["inline <script>"].search(page.content.decode())
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_api_answers_a_browser_in_json_not_with_a_page_the_policy_would_break(client):
    response = client.get("/api/v1/decisions/", HTTP_ACCEPT="text/html,*/*")

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"
