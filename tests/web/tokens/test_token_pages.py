"""The account page where a person makes, lists and revokes their API tokens."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.platform.extensions import db
from app.tokens.models import ApiToken
from app.tokens.services import TOKEN_PREFIX, hash_token
from tests.factories import user_with


def _token_of(user_id: int) -> ApiToken:
    return db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == user_id)).scalar_one()


def test_a_token_is_shown_once_stored_hashed_listed_and_audited(client, sign_in):
    user = user_with(Role.APPLICANT)
    sign_in(user)
    response = client.post(
        "/account/tokens/",
        data={"name": "Reports export", "scopes": ["read"], "areas": ["grants"], "days": "30"},
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    token = _token_of(user.id)
    assert token.token_hash == hash_token(secret)
    assert secret not in (token.prefix, token.name)
    assert (token.expires_at - token.created_at).days == 30
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "Reports export" in listing and token.prefix in listing and secret not in listing
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "api_token.created")
    ).scalar_one()
    assert event.actor_id == user.id and event.subject_id == str(token.id)


def test_a_token_lasts_a_year_at_most(client, sign_in):
    sign_in(user_with(Role.DONOR))
    form = {"name": "x", "scopes": ["read"], "areas": ["grants"], "days": "400"}
    response = client.post("/account/tokens/", data=form)
    assert response.status_code == 422
    assert db.session.execute(sa.select(ApiToken)).first() is None


def test_revoking_ends_a_token_and_only_its_owner_can(client, sign_in):
    owner = user_with(Role.APPLICANT)
    sign_in(owner)
    client.post(
        "/account/tokens/",
        data={"name": "mine", "scopes": ["read"], "areas": ["grants"], "days": "90"},
    )
    token = _token_of(owner.id)
    sign_in(user_with(Role.APPLICANT))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None
    sign_in(owner)
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert "Revoked" in client.get("/account/tokens/").get_data(as_text=True)


def test_staff_under_mandatory_two_factor_confirm_with_a_current_code(app, client, sign_in):
    secret = pyotp.random_base32()
    manager = user_with(Role.FUND_MANAGER)
    manager.totp_secret = secret
    manager.totp_enabled_at = manager.created_at
    db.session.flush()
    sign_in(manager)
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    try:
        form = {"name": "board export", "scopes": ["read"], "areas": ["grants"], "days": "90"}
        assert "authenticator" in client.get("/account/tokens/").get_data(as_text=True)
        refused = client.post("/account/tokens/", data={**form, "code": "000000"})
        assert refused.status_code == 403
        assert db.session.execute(sa.select(ApiToken)).first() is None
        accepted = client.post("/account/tokens/", data={**form, "code": pyotp.TOTP(secret).now()})
        assert accepted.status_code == 200
        assert _token_of(manager.id).name == "board export"
    finally:
        app.config["REQUIRE_2FA_FOR_STAFF"] = False


def test_the_token_pages_want_a_signed_in_person(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and "/login" in response.location
