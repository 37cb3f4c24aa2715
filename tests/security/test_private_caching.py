"""Answers made for one person are never kept by the browser or a shared proxy.

Without Cache-Control on a signed-in page, the back button on a shared computer, or a caching
proxy, could show one person's giving or applications to the next.
"""

from __future__ import annotations

from app.accounts.models import Role
from app.accounts.web.auth.tokens import RESET, make_token
from tests.factories import PASSWORD, UserFactory, user_with
from tests.web.auth.helpers import submit_login

PRIVATE = "private, no-store"


def test_every_page_for_a_signed_in_person_is_private(client, sign_in):
    sign_in(user_with(Role.DONOR))

    for path in ("/", "/my/giving", "/account", "/transparency", "/no-such-page"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == PRIVATE, path


def test_a_staff_page_is_private(client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER))

    response = client.get("/dashboard")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE


def test_signing_in_and_out_set_cookies_and_are_private(client):
    UserFactory(email="grace@example.org")

    signed_in = submit_login(client, "grace@example.org", PASSWORD)
    signed_out = client.post("/logout")

    for response in (signed_in, signed_out):
        assert "Set-Cookie" in response.headers
        assert response.headers["Cache-Control"] == PRIVATE


def test_a_page_opened_by_a_secret_link_is_private(client):
    user = UserFactory(email="grace@example.org")

    response = client.get(f"/reset/{make_token(user, RESET)}")

    assert "grace@example.org" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == PRIVATE


def test_a_first_visit_that_sets_the_session_cookie_is_private(client):
    first = client.get("/")

    assert "Set-Cookie" in first.headers  # the CSRF secret of the language form
    assert first.headers["Cache-Control"] == PRIVATE


def test_public_pages_and_static_files_keep_their_caching(client, sign_in):
    client.get("/")
    client.get("/transparency")  # a returning visitor: the session cookie is settled
    api = client.get("/api/v1/transparency")
    page = client.get("/transparency")
    static = client.get("/static/css/app.css")
    assert "Set-Cookie" not in page.headers
    assert api.headers["Cache-Control"] == "public, max-age=300"
    assert PRIVATE not in page.headers.get("Cache-Control", "")
    assert PRIVATE not in static.headers.get("Cache-Control", "")

    sign_in(user_with(Role.DONOR))

    assert client.get("/static/css/app.css").headers.get("Cache-Control") == static.headers.get(
        "Cache-Control"
    )
