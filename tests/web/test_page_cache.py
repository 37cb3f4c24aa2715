"""Busy staff pages answered again from memory (app/web/page_cache.py).

The layer must never show a page that differs from what the app would make now: not another
person's, not one from before a write, not one to a signed-out cookie. These tests commit for
real, on PostgreSQL: the layer reads the database's snapshot from its own connection, which a
test's uncommitted transaction would not move.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.applications.models import Application
from app.notifications import services as notices
from app.notifications.models import NotificationKind
from app.platform.extensions import db
from app.web.page_cache import KeptPages
from tests.applications_support import started_application
from tests.conftest import login
from tests.factories import user_with
from tests.real_commits import committed, committed_rows_removed
from tests.statements import counting


def test_the_busy_staff_pages_are_the_ones_kept(app: Flask) -> None:
    assert app.extensions["kept_pages"].paths == {"/dashboard", "/applications/all"}


@pytest.fixture
def layer(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeptPages]:
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    kept: KeptPages = app.extensions["kept_pages"]
    kept.clear()
    with committed_rows_removed(app):
        yield kept
    kept.clear()


def _user(role: Role, **fields: Any) -> int:
    return int(user_with(role, **fields).id)


def _an_application() -> int:
    return int(started_application().id)


def _signed_in(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        login(client, db.session.get(User, user_id))
    # The first page stores the CSRF secret and Flask-Login's fingerprint in the session (a
    # new cookie, so not kept), as a browser's first page after signing in does.
    assert client.get("/dashboard").status_code == 200
    return client


def _page(client: FlaskClient, path: str, app: Flask) -> tuple[str, int]:
    with counting() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def _made_afresh(client: FlaskClient, path: str, app: Flask) -> str:
    page, statements = _page(client, path, app)
    assert statements > 0, "answered from memory"
    return page


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_page_viewed_again_is_answered_from_memory_until_something_is_written(
    app: Flask, layer: KeptPages
) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER, full_name="Ana Costa"))
    application_id = committed(app, _an_application)
    client = _signed_in(app, manager)

    first, first_statements = _page(client, "/applications/all", app)
    again, again_statements = _page(client, "/applications/all", app)
    assert first_statements > 0
    assert again_statements == 0  # no session, no query, no template
    assert again == first
    assert "Ana Costa" in again

    # An NGO names its application: the next view is made afresh and shows it.
    def rename() -> None:
        db.session.get(Application, application_id).title = "Night shelter in Kano"

    committed(app, rename)
    assert "Night shelter in Kano" in _made_afresh(client, "/applications/all", app)


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_write_that_leaves_no_audit_event_is_seen_too(app: Flask, layer: KeptPages) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    client = _signed_in(app, manager)
    _page(client, "/dashboard", app)
    assert "unread" not in _page(client, "/dashboard", app)[0]

    def tell() -> None:
        person = db.session.get(User, manager)
        notices.notify(
            user=person, kind=NotificationKind.ATTENTION_NEEDED, link="/dashboard", email=False
        )

    committed(app, tell)
    assert '1<span class="visually-hidden"> unread' in _made_afresh(client, "/dashboard", app)


@pytest.mark.postgres
@pytest.mark.real_commits
def test_each_person_gets_their_own_page(app: Flask, layer: KeptPages) -> None:
    ana = committed(app, lambda: _user(Role.FUND_MANAGER, full_name="Ana Costa"))
    ben = committed(app, lambda: _user(Role.FUND_MANAGER, full_name="Ben Okafor"))
    ana_client, ben_client = _signed_in(app, ana), _signed_in(app, ben)
    _page(ana_client, "/dashboard", app)
    _page(ana_client, "/dashboard", app)

    page = _made_afresh(ben_client, "/dashboard", app)
    assert "Ben Okafor" in page
    assert "Ana Costa" not in page


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_closed_account_is_not_answered_even_from_another_copy_of_its_cookie(
    app: Flask, layer: KeptPages
) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    admin = committed(app, lambda: _user(Role.ADMIN))
    client = _signed_in(app, manager)
    _page(client, "/dashboard", app)
    _page(client, "/dashboard", app)
    copied = client.get_cookie("session")
    assert copied is not None

    def close() -> None:
        accounts.set_user_active(
            actor=db.session.get(User, admin), user=db.session.get(User, manager), active=False
        )

    committed(app, close)
    other = app.test_client()
    other.set_cookie("session", copied.value)
    for browser in (client, other):
        response = browser.get("/dashboard")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_role_taken_away_takes_the_page_away(app: Flask, layer: KeptPages) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    admin = committed(app, lambda: _user(Role.ADMIN))
    client = _signed_in(app, manager)
    _page(client, "/applications/all", app)
    _page(client, "/applications/all", app)

    def revoke() -> None:
        accounts.revoke_role(
            actor=db.session.get(User, admin),
            user=db.session.get(User, manager),
            role=Role.FUND_MANAGER,
        )

    committed(app, revoke)
    assert client.get("/applications/all").status_code == 302  # signed out everywhere


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_flashed_message_is_shown_once_and_never_kept(app: Flask, layer: KeptPages) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    client = _signed_in(app, manager)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Pledge recorded.")]

    assert "Pledge recorded." in client.get("/dashboard").get_data(as_text=True)
    assert "Pledge recorded." not in client.get("/dashboard").get_data(as_text=True)
    assert "Pledge recorded." not in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.postgres
@pytest.mark.real_commits
def test_each_process_keeps_a_bounded_size_of_pages(
    app: Flask, layer: KeptPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    client = _signed_in(app, manager)
    page_size = len(_page(client, "/applications/all?status=draft", app)[0].encode())
    # Room for two such pages, not three.
    monkeypatch.setitem(app.config, "PAGE_CACHE_MAX_BYTES", 2 * page_size + page_size // 2)
    layer.clear()
    for status in ("draft", "submitted", "screening"):
        _page(client, f"/applications/all?status={status}", app)
    assert len(layer) == 2
    # The oldest went first: asking for it again makes it afresh.
    _made_afresh(client, "/applications/all?status=draft", app)
    assert _page(client, "/applications/all?status=screening", app)[1] == 0


@pytest.mark.postgres
@pytest.mark.real_commits
def test_nothing_is_kept_while_the_setting_is_zero(
    app: Flask, layer: KeptPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    client = _signed_in(app, manager)
    _page(client, "/dashboard", app)
    _made_afresh(client, "/dashboard", app)
    assert len(layer) == 0


def test_only_postgresql_says_whether_anything_was_written(app: Flask, dialect: str) -> None:
    """SQLite has no snapshot to compare, so there the layer never answers from memory."""
    written = app.extensions["kept_pages"]._database_written()
    assert isinstance(written, str) if dialect == "postgresql" else written is None


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_proxy_s_request_id_does_not_make_every_request_new(app: Flask, layer: KeptPages) -> None:
    manager = committed(app, lambda: _user(Role.FUND_MANAGER))
    client = _signed_in(app, manager)
    client.get("/dashboard", headers={"X-Request-Id": "first"})
    with counting() as statements:
        assert client.get("/dashboard", headers={"X-Request-Id": "second"}).status_code == 200
    assert statements == []
    # Any other header is part of the request: another language is another page.
    with counting() as statements:
        french = client.get("/dashboard", headers={"Accept-Language": "fr"})
    assert statements
    assert '<html lang="fr" dir="ltr">' in french.get_data(as_text=True)
