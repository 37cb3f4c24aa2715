"""Saved views: a person saves the list's sort and filters under a name, opens, renames and
deletes it from the list page; each step audited; nobody else sees or uses it."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.lists.models import SavedView
from app.platform.extensions import db
from tests.factories import user_with

QUERY = "country=FR&status=submitted&sort=title&dir=asc"


def _save(client, name: str = "French, submitted", query: str = QUERY):
    return client.post("/lists/applications/views", data={"view-name": name, "view-query": query})


def test_save_open_rename_delete_each_audited(app, sign_in):
    manager = user_with(Role.FUND_MANAGER)
    client = sign_in(manager)
    response = _save(client, query=QUERY + "&after=abc&status2=x&view=3")
    assert response.status_code == 302
    view = db.session.execute(sa.select(SavedView)).scalar_one()
    assert view.user_id == manager.id and view.list_name == "applications"
    # The list's own normal form: no cursor, nothing the list does not know.
    assert view.query_string == "country=FR&dir=asc&sort=title&status=submitted"
    assert f"view={view.id}" in response.location

    page = client.get("/applications/all").get_data(as_text=True)
    assert "French, submitted" in page and f'href="/lists/views/{view.id}"' in page

    opened = client.get(f"/lists/views/{view.id}")
    assert opened.status_code == 302
    assert "/applications/all?country=FR&dir=asc&sort=title&status=submitted" in opened.location
    shown = unescape(client.get(opened.location).get_data(as_text=True))
    assert 'aria-sort="ascending"' in shown and 'name="sort" value="title"' in shown
    assert "Rename" in shown and "Delete view “French, submitted”" in shown

    assert (
        client.post(f"/lists/views/{view.id}/rename", data={"rename-name": "FR"}).status_code == 302
    )
    assert db.session.get(SavedView, view.id).name == "FR"
    view_id = view.id
    assert client.post(f"/lists/views/{view_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedView, view_id) is None

    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.subject_type == "saved_views")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["saved_view.saved", "saved_view.renamed", "saved_view.deleted"]


def test_a_view_is_its_owners_only(app, client, sign_in):
    owner = user_with(Role.FUND_MANAGER)
    sign_in(owner)
    client.get(_save(client).location)  # the owner reads the page (and its message)
    view = db.session.execute(sa.select(SavedView)).scalar_one()

    other = user_with(Role.FUND_MANAGER)
    sign_in(other)
    page = client.get("/applications/all").get_data(as_text=True)
    assert "French, submitted" not in page and f"/lists/views/{view.id}" not in page
    assert client.get(f"/lists/views/{view.id}").status_code == 404
    assert (
        client.post(f"/lists/views/{view.id}/rename", data={"rename-name": "Mine"}).status_code
        == 404
    )
    assert client.post(f"/lists/views/{view.id}/delete").status_code == 404
    assert db.session.get(SavedView, view.id).name == "French, submitted"


def test_a_view_of_a_list_one_may_not_see_is_refused(app, sign_in):
    client = sign_in(user_with(Role.DONOR))
    assert _save(client).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedView)) == 0
    assert _save(client, query="x").status_code == 403


def test_names_are_checked(app, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    _save(client)
    again = client.get(_save(client).location).get_data(as_text=True)
    assert "You already have a view of this list with that name." in unescape(again)
    blank = _save(client, name="   ")
    assert blank.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedView)) == 1
    assert client.post("/lists/nothing/views", data={"view-name": "x"}).status_code == 404


def test_the_saved_views_panel_is_keyboard_reachable(app, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    html = client.get("/applications/all").get_data(as_text=True)
    assert re.search(r'<label class="form-label" for="view-name">', html)
    assert "<summary>My saved views</summary>" in html
