"""Screen-pop: /console/pop/#<number> only; the number never reaches the server in a URL, and a
pop that meets the sign-in page is kept in the browser tab (the Chromium side is in
tests/browser/test_console_live.py)."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from cvm_portal.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "query", ["?phone=48501234567", "?number=%2B48501234567&x=1", "?501234567"]
)
def test_a_number_in_the_query_is_not_used_and_the_page_says_how_to_call_it(client, agent, query):
    answer = client.get(f"/console/pop/{query}")

    content = answer.content.decode()
    assert answer.status_code == 400
    assert "This screen-pop address is not supported" in content
    assert "/console/pop/#&lt;caller" in content  # how to call it
    assert "501234567" not in content  # the number is neither echoed...
    assert 'id="pop-form"' not in content and "screen_pop.js" not in content  # ...nor posted


def test_the_pop_page_posts_the_fragment_and_keeps_no_inline_script(client, agent):
    content = client.get("/console/pop/").content.decode()

    assert 'id="pop-form"' in content and 'action="/console/find/"' in content
    assert 'src="/static/js/screen_pop.js"' in content and "<script>" not in content
    script = Path(finders.find("js/screen_pop.js")).read_text()
    assert "sessionStorage" in script and "hashchange" in script


def test_a_pop_that_meets_the_sign_in_page_is_kept_in_the_tab_by_a_static_script():
    # Given a telephony pop in a browser whose session has expired
    answer = Client().get("/console/pop/")

    # Then the sign-in page comes, told where the pop goes next
    assert answer.status_code == 302
    login = Client().get(answer["Location"])
    content = login.content.decode()
    assert 'data-pop-path="/console/pop/"' in content
    assert 'name="next" value="/console/pop/"' in content
    assert 'src="/static/js/login_pop.js"' in content and "<script>" not in content
    script = Path(finders.find("js/login_pop.js")).read_text()
    assert "sessionStorage" in script and "history.replaceState" in script
