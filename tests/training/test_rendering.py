"""Guide text: Markdown rendered and sanitised, the same for the page and the live preview."""

import pytest

from cvm_portal.roles import Role
from training.rendering import reading_minutes, render_markdown

HOSTILE = [
    ("<script>alert(1)</script>", "<script"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<div style="background:url(javascript:alert(1))">x</div>', "style="),
    ("![x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ('<svg onload="alert(1)"><circle/></svg>', "<svg"),
    ("<form action='/x'><input name=a></form>", "<form"),
]


@pytest.mark.parametrize(("markdown", "forbidden"), HOSTILE)
def test_hostile_markdown_is_rendered_harmless(markdown, forbidden):
    html = render_markdown(f"Before\n\n{markdown}\n\nAfter")
    assert forbidden not in html.lower()
    assert "Before" in html and "After" in html


def test_ordinary_markdown_keeps_headings_lists_tables_links_and_images():
    html = render_markdown(
        "## Pitch\n\n- **one**\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[guide](https://example.com/x) ![map](/media/training/map.png)"
    )
    assert "<h2>Pitch</h2>" in html
    assert "<strong>one</strong>" in html and "<table>" in html
    assert 'href="https://example.com/x"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert '<img alt="map" src="/media/training/map.png">' in html


def test_reading_time_is_about_two_hundred_words_a_minute():
    assert reading_minutes("word " * 10) == 1
    assert reading_minutes("word " * 450) == 3


def test_the_live_preview_renders_and_sanitises_for_a_trainer(client, make_user):
    client.force_login(make_user(Role.TRAINER))
    response = client.post(
        "/training/preview/",
        {"body": "# Hello\n\n<script>alert(1)</script>"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Hello</h1>" in body and "<script" not in body
    assert "About 1 minute to read" in body


def test_the_preview_is_for_trainers_only_and_only_by_post(client, make_user):
    client.force_login(make_user(Role.AGENT))
    assert client.post("/training/preview/", {"body": "x"}).status_code == 403
    client.force_login(make_user(Role.TRAINER))
    assert client.get("/training/preview/").status_code == 405


def test_the_preview_needs_a_csrf_token(make_user):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user(Role.TRAINER))
    assert csrf_client.post("/training/preview/", {"body": "x"}).status_code == 403
