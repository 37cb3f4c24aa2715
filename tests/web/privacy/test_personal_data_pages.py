"""The account's personal data page: the download holds the person's own data and no one
else's; closing needs the password, the confirmation and (when on) the second factor."""

from __future__ import annotations

import json

import pyotp
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.platform.db import utcnow
from app.platform.extensions import db
from app.privacy import services as privacy
from tests.factories import PASSWORD, user_with
from tests.web.auth.helpers import is_signed_in, submit_login

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_the_download_holds_my_data_and_not_anyone_elses(client):
    me = user_with(Role.DONOR, email="grace@example.org", full_name="Grace Hopper")
    user_with(Role.DONOR, email="ada@example.org", full_name="Ada Lovelace")
    assert submit_login(client, "grace@example.org", PASSWORD).status_code == 302

    response = client.post("/account/personal-data/download")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "grace@example.org"
    assert data["roles"][0]["role"] == "donor"
    assert any(e["action"] == "user.login" for e in data["account_events"])
    text = response.get_data(as_text=True)
    assert "ada@example.org" not in text and "Lovelace" not in text
    assert "password" not in text and SECRET not in text
    exported = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "user.data_exported")
    ).scalar_one()
    assert exported.actor_id == me.id


def test_closing_needs_the_password_and_the_confirmation(client):
    me = user_with(Role.DONOR, email="grace@example.org")
    submit_login(client, "grace@example.org", PASSWORD)

    wrong = client.post("/account/close", data={"password": "nope", "confirm": "y"})
    unticked = client.post("/account/close", data={"password": PASSWORD})

    assert wrong.status_code == unticked.status_code == 400
    assert "Your password is not right." in wrong.get_data(as_text=True)
    assert "Tick the box to confirm." in unticked.get_data(as_text=True)
    assert not privacy.is_closed(me)

    done = client.post(
        "/account/close", data={"password": PASSWORD, "confirm": "y"}, follow_redirects=True
    )

    assert "Your account is closed" in done.get_data(as_text=True)
    assert privacy.is_closed(me) and not is_signed_in(client)
    assert submit_login(client, "grace@example.org", PASSWORD).status_code != 302


def test_with_two_factor_on_closing_also_needs_a_code(client):
    me = user_with(
        Role.DONOR, email="grace@example.org", totp_secret=SECRET, totp_enabled_at=utcnow()
    )
    with client.session_transaction() as session:
        session["_user_id"] = me.get_id()
        session["_fresh"] = True

    page = client.get("/account/personal-data").get_data(as_text=True)
    assert "authenticator" in page
    refused = client.post(
        "/account/close", data={"password": PASSWORD, "confirm": "y", "code": "000000"}
    )
    assert refused.status_code == 400 and not privacy.is_closed(me)

    client.post(
        "/account/close",
        data={"password": PASSWORD, "confirm": "y", "code": pyotp.TOTP(SECRET).now()},
    )
    assert privacy.is_closed(me)


def test_the_page_says_what_must_be_handed_over_first(client):
    only_admin = user_with(Role.ADMIN, email="root@example.org")
    with client.session_transaction() as session:
        session["_user_id"] = only_admin.get_id()
        session["_fresh"] = True

    page = client.get("/account/personal-data").get_data(as_text=True)

    assert "last administrator" in page
    assert 'action="/account/close"' not in page


def test_an_administrator_closes_someone_else_from_the_user_page(client):
    admin = user_with(Role.ADMIN)
    other = user_with(Role.APPLICANT, full_name="Someone Leaving")
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True

    client.post(f"/admin/users/{other.id}/close", data={"reason": "asked by letter"})
    mine = client.post(f"/admin/users/{admin.id}/close", data={"reason": "leaving"})

    assert privacy.is_closed(other)
    assert not privacy.is_closed(admin)
    assert mine.status_code == 302


def test_the_user_page_says_an_account_is_closed_and_offers_no_more_actions(client):
    admin = user_with(Role.ADMIN)
    other = user_with(Role.DONOR)
    privacy.close_account_for(actor=admin, user=other, reason="asked by letter")
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True

    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)

    assert "This account is closed" in page
    assert f"/admin/users/{other.id}/close" not in page
    assert f"/admin/users/{other.id}/reactivate" not in page
