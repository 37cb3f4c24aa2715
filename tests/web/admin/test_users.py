"""User administration as an administrator uses it: invitations, roles, deactivation, the list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts.models import Role, User
from app.outbox.sending import send_due
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import PASSWORD, UserFactory, user_with
from tests.mail import smtp_mailbox
from tests.web.auth.helpers import audit_events, is_signed_in, submit_login


@pytest.fixture
def admin(sign_in):
    user = user_with(Role.ADMIN, full_name="Ada Admin", email="ada@example.org")
    sign_in(user)
    return user


def user_by_email(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def invite(client, email="rita@example.org", roles=("reviewer",), **kwargs):
    data = {"full_name": "Rita Reviewer", "email": email, "roles": list(roles)}
    return client.post("/admin/users/invite", data=data, **kwargs)


# --- invitations -------------------------------------------------------------------------


def test_inviting_creates_the_account_with_its_roles_and_mails_a_link(client, admin, mailbox):
    response = invite(client, roles=("reviewer", "board"), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Invitation sent to rita@example.org." in page
    rita = user_by_email("rita@example.org")
    assert response.request.path == f"/admin/users/{rita.id}"
    assert rita.roles == {Role.REVIEWER, Role.BOARD}
    assert rita.password_hash is None
    assert all(grant.granted_by_id == admin.id for grant in rita.role_grants)
    message = mailbox.last("rita@example.org")
    assert message["Subject"] == "You are invited to UNVTF"
    assert mailbox.link("rita@example.org").startswith("/reset/")
    assert [e.actor_id for e in audit_events("user.invited")] == [admin.id]
    granted = audit_events("user.role_granted")
    assert sorted(e.changes["role"][1] for e in granted) == ["board", "reviewer"]
    assert {e.subject_id for e in granted} == {str(rita.id)}


def test_the_invited_user_shows_as_invited_in_the_list(client, admin, mailbox):
    invite(client)

    page = client.get("/admin/users").get_data(as_text=True)

    assert "rita@example.org" in page
    assert "Invited" in page


def test_an_invitation_made_while_mail_is_down_is_sent_once_it_is_back(
    app, client, admin, dead_mail_server
):
    invite(client, follow_redirects=True)
    assert user_by_email("rita@example.org").roles == {Role.REVIEWER}
    assert send_due().retrying == 1  # the worker tries, the relay is down

    with smtp_mailbox(app, port=app.config["MAIL_PORT"]) as back:
        assert send_due(now=utcnow() + timedelta(hours=1)).sent == 1
        assert back.link("rita@example.org").startswith("/reset/")


def test_inviting_an_address_that_has_an_account_is_refused(client, admin, mailbox):
    UserFactory(email="rita@example.org")

    response = invite(client, email="Rita@Example.org")

    assert "Someone already has an account with this e-mail address." in response.get_data(
        as_text=True
    )
    assert mailbox.messages == []


def test_inviting_an_admin_finance_officer_is_refused_and_creates_nothing(client, admin, mailbox):
    response = invite(client, roles=("admin", "finance"))

    assert response.status_code == 200
    assert "One person cannot hold both the admin and finance roles." in response.get_data(
        as_text=True
    )
    assert db.session.execute(select(User).where(User.email == "rita@example.org")).first() is None
    assert mailbox.messages == []


# --- roles -------------------------------------------------------------------------------


def test_granting_and_revoking_a_role(client, admin):
    target = user_with(Role.REVIEWER, email="rev@example.org", full_name="Rev Iewer")

    granted = client.post(
        f"/admin/users/{target.id}/roles", data={"role": "board"}, follow_redirects=True
    )
    assert "Board of Trustees role granted." in granted.get_data(as_text=True)
    db.session.refresh(target)
    assert target.roles == {Role.REVIEWER, Role.BOARD}

    again = client.post(
        f"/admin/users/{target.id}/roles", data={"role": "board"}, follow_redirects=True
    )
    assert "Rev Iewer already has that role." in again.get_data(as_text=True)

    revoked = client.post(f"/admin/users/{target.id}/roles/reviewer/revoke", follow_redirects=True)
    assert "Reviewer role revoked." in revoked.get_data(as_text=True)
    db.session.refresh(target)
    assert target.roles == {Role.BOARD}
    assert [e.summary for e in audit_events("user.role_granted")] == [
        "role board granted to rev@example.org"
    ]
    assert [e.summary for e in audit_events("user.role_revoked")] == [
        "role reviewer revoked from rev@example.org"
    ]


def test_a_revoked_role_stops_working_at_once(app: Flask, client, admin):
    target = user_with(Role.AUDITOR, email="aud@example.org")
    auditor_browser = app.test_client()
    submit_login(auditor_browser, "aud@example.org", PASSWORD)
    assert auditor_browser.get("/audit/").status_code == 200

    client.post(f"/admin/users/{target.id}/roles/auditor/revoke")

    # The session no longer holds: the auditor is sent to sign in again.
    refused = auditor_browser.get("/audit/")
    assert refused.status_code == 302
    assert refused.location.startswith("/login?next=/audit/")


@pytest.mark.parametrize(("holds", "grant"), [(Role.ADMIN, "finance"), (Role.FINANCE, "admin")])
def test_admin_and_finance_cannot_be_combined(client, admin, holds, grant):
    target = user_with(holds, email="someone@example.org")

    response = client.post(
        f"/admin/users/{target.id}/roles", data={"role": grant}, follow_redirects=True
    )

    assert response.request.path == f"/admin/users/{target.id}"
    assert "One person cannot hold both the admin and finance roles." in response.get_data(
        as_text=True
    )
    db.session.refresh(target)
    assert target.roles == {holds}
    assert audit_events("user.role_granted") == []


def test_an_admin_cannot_change_their_own_roles_or_status(client, admin):
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "You cannot change your own roles or status; ask another administrator." in page
    assert "Grant role" not in page and "Deactivate this account" not in page

    grant = client.post(f"/admin/users/{admin.id}/roles", data={"role": "auditor"})
    revoke = client.post(f"/admin/users/{admin.id}/roles/admin/revoke")
    deactivate = client.post(f"/admin/users/{admin.id}/deactivate")

    assert grant.status_code == 302
    assert revoke.status_code == deactivate.status_code == 403
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN}
    assert admin.is_active
    assert is_signed_in(client)


def test_refusing_an_own_role_change_says_why(client, admin):
    response = client.post(
        f"/admin/users/{admin.id}/roles", data={"role": "auditor"}, follow_redirects=True
    )
    assert "You cannot change your own roles; ask another administrator." in response.get_data(
        as_text=True
    )


def test_an_unknown_role_is_refused(client, admin):
    target = UserFactory()

    response = client.post(f"/admin/users/{target.id}/roles/wizard/revoke", follow_redirects=True)
    assert "Unknown role." in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{target.id}/roles", data={"role": "wizard"})
    db.session.refresh(target)
    assert target.roles == frozenset()


# --- deactivation ------------------------------------------------------------------------


def test_deactivating_ends_the_users_open_session_and_reactivating_lets_them_back(
    app: Flask, client, admin
):
    target = user_with(Role.DONOR, email="don@example.org", full_name="Don Or")
    their_browser = app.test_client()
    submit_login(their_browser, "don@example.org", PASSWORD)
    assert is_signed_in(their_browser)

    response = client.post(f"/admin/users/{target.id}/deactivate", follow_redirects=True)

    assert "Don Or can no longer sign in." in response.get_data(as_text=True)
    assert "Deactivated" in response.get_data(as_text=True)
    assert not is_signed_in(their_browser)
    assert their_browser.get("/account/").status_code == 302
    refused = submit_login(their_browser, "don@example.org", PASSWORD)
    assert "This account has been deactivated." in refused.get_data(as_text=True)
    assert [e.subject_id for e in audit_events("user.deactivated")] == [str(target.id)]

    response = client.post(f"/admin/users/{target.id}/reactivate", follow_redirects=True)

    assert "Don Or can sign in again." in response.get_data(as_text=True)
    assert submit_login(their_browser, "don@example.org", PASSWORD).status_code == 302
    assert is_signed_in(their_browser)
    assert len(audit_events("user.reactivated")) == 1


def test_an_unknown_user_is_a_friendly_404(client, admin):
    response = client.get("/admin/users/999999")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


# --- who may use these pages -------------------------------------------------------------


def admin_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        path = re.sub(r"<int:(user|message)_id>", "1", rule.rule)
        path = re.sub(r"<role>", "reviewer", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    assert len(routes) >= 7, routes
    return routes


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN] + [None])
def test_non_admins_are_refused_every_admin_page(app, client, sign_in, role):
    someone = UserFactory(roles=[role] if role else [])
    sign_in(someone)
    target = UserFactory()

    for method, path in admin_routes(app):
        path = path.replace("/users/1", f"/users/{target.id}")
        response = client.open(path, method=method, data={"role": "admin"})
        assert response.status_code == 403, (method, path)
    db.session.refresh(target)
    assert target.roles == frozenset() and target.is_active


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for method, path in admin_routes(app):
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login?next=")


# --- the list ----------------------------------------------------------------------------


def listed_emails(response) -> list[str]:
    return re.findall(r"<td>([^<@]+@[^<]+)</td>", response.get_data(as_text=True))


def test_the_list_searches_by_name_or_address(client, admin):
    UserFactory(full_name="Zora Neale", email="zora@example.org")
    UserFactory(full_name="Alan Turing", email="alan@bletchley.example")

    assert listed_emails(client.get("/admin/users?q=ZORA")) == ["zora@example.org"]
    assert listed_emails(client.get("/admin/users?q=bletchley")) == ["alan@bletchley.example"]
    nobody = client.get("/admin/users?q=nobody-matches")
    assert "No user matches these filters." in nobody.get_data(as_text=True)


def test_search_takes_wildcard_characters_literally(client, admin):
    UserFactory(email="first_last@example.org")
    UserFactory(email="firstxlast@example.org")

    assert listed_emails(client.get("/admin/users?q=first_last")) == ["first_last@example.org"]
    assert "No user matches" in client.get("/admin/users?q=%25%25").get_data(as_text=True)


def test_the_list_filters_by_role(client, admin):
    user_with(Role.REVIEWER, email="rev@example.org")
    user_with(Role.REVIEWER, Role.BOARD, email="both@example.org")
    user_with(Role.DONOR, email="don@example.org")

    assert listed_emails(client.get("/admin/users?role=reviewer")) == [
        "both@example.org",
        "rev@example.org",
    ]
    assert listed_emails(client.get("/admin/users?role=board")) == ["both@example.org"]
    # An unknown role is ignored rather than an error.
    assert len(listed_emails(client.get("/admin/users?role=wizard"))) == 4


def test_the_list_is_paginated_and_keeps_the_filters(app, client, admin):
    page_size = app.config["PAGE_SIZE"]
    for n in range(page_size + 2):
        user_with(Role.APPLICANT, email=f"ngo{n:03d}@example.org")

    first = client.get("/admin/users?role=applicant")
    second = client.get("/admin/users?role=applicant&page=2")

    assert len(listed_emails(first)) == page_size
    assert len(listed_emails(second)) == 2
    assert not set(listed_emails(first)) & set(listed_emails(second))
    page = first.get_data(as_text=True)
    assert f"Page 1 of 2 · {page_size + 2} in all" in page
    assert re.search(
        r'href="/admin/users\?[^"]*role=applicant[^"]*page=2|'
        r'href="/admin/users\?[^"]*page=2[^"]*role=applicant',
        page,
    )
    assert client.get("/admin/users?page=junk").status_code == 200
    assert listed_emails(client.get("/admin/users?role=applicant&page=99")) == []
