"""OAuth 2 client credentials: an administrator registers a client and sees its secret once; the
client gets a short-lived token at /api/v1/oauth/token and uses it on the API with its role's or
organisation's permissions and its own scopes; rotation and revocation end it."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.permissions import Permission
from app.audit.models import AuditEvent
from app.notifications.services import fund_staff_with, organisation_staff
from app.oauth import services as oauth
from app.oauth.models import ClientRole, OAuthClient
from app.platform.db import utcnow
from app.platform.extensions import db
from app.tokens.models import ApiToken, TokenScope
from app.tokens.services import hash_token
from tests.applications_support import ngo_organisation, open_call, started_application
from tests.factories import user_with

TOKEN_URL = "/api/v1/oauth/token"


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def register(*scopes: TokenScope, **acts_as: Any) -> tuple[OAuthClient, str]:
    return oauth.register_client(
        actor=user_with(Role.ADMIN),
        name="Umoja",
        scopes=scopes or (TokenScope.READ,),
        **(acts_as or {"role": ClientRole.FINANCE}),
    )


def get_token(http: Any, client: OAuthClient, secret: str, **form: str) -> Any:
    return http.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", **form},
        headers=basic(client.client_id, secret),
    )


def test_the_admin_registers_a_client_and_sees_its_secret_once(client, sign_in):
    sign_in(user_with(Role.ADMIN))
    organisation = ngo_organisation()
    response = client.post(
        "/admin/api-clients/",
        data={
            "name": "Partner portal",
            "scopes": ["read"],
            "areas": ["applications", "grants"],
            "acts_as": f"organisation:{organisation.id}",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    client_id = page.split('id="client-id">')[1].split("<")[0]
    secret = page.split('id="client-secret">')[1].split("<")[0]
    record = oauth.find_client(client_id)
    assert record is not None and record.secret_hash != secret and len(secret) > 40
    assert record.user.is_program and record.user.memberships[0].organisation_id == organisation.id
    listing = client.get("/admin/api-clients/").get_data(as_text=True)
    assert "Partner portal" in listing and client_id in listing and secret not in listing
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "oauth_client.registered")
    ).one()
    assert event.subject_id == str(record.id)


def test_a_client_never_acts_as_an_administrator(client, sign_in):
    sign_in(user_with(Role.ADMIN))
    response = client.post(
        "/admin/api-clients/",
        data={"name": "Root", "scopes": ["read"], "areas": ["grants"], "acts_as": "role:admin"},
    )
    assert response.status_code == 422
    assert db.session.scalars(sa.select(OAuthClient)).first() is None


def test_only_administrators_reach_the_clients_pages(client, sign_in):
    for role in (Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR, Role.APPLICANT, Role.DONOR):
        sign_in(user_with(role))
        assert client.get("/admin/api-clients/").status_code == 403
        assert client.post("/admin/api-clients/1/revoke").status_code == 403
    sign_in(user_with(Role.ADMIN))
    assert client.get("/admin/api-clients/").status_code == 200


def test_a_token_is_issued_stored_hashed_and_used_with_the_roles_permissions(client):
    record, secret = register(TokenScope.READ)
    response = get_token(client, record, secret)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    # No area named when it was registered: every area.
    assert body["scope"] == "applications donations finance grants read reviews"
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == record.user_id)).one()
    assert token.token_hash == hash_token(body["access_token"])
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["roles"] == ["finance"]
    assert "approve_disbursement" in me.get_json()["permissions"]
    assert db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "oauth_client.token_issued")
    ).one()


def test_credentials_in_the_form_are_accepted_too(client):
    record, secret = register()
    response = client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": record.client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 200


def test_a_wrong_secret_is_a_401_problem(client):
    record, _secret = register()
    response = get_token(client, record, "not-the-secret")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and body["error"] == "invalid_client" and body["detail"]
    assert db.session.scalars(sa.select(ApiToken)).first() is None
    unknown = client.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic("tfc_nobody", "x")
    )
    assert unknown.status_code == 401


def test_a_wrong_grant_type_or_scope_is_a_400_problem(client):
    record, secret = register(TokenScope.READ)
    assert get_token(client, record, secret, scope="write").get_json()["error"] == "invalid_scope"
    assert get_token(client, record, secret, scope="write").status_code == 400
    response = client.post(
        TOKEN_URL, data={"grant_type": "password"}, headers=basic(record.client_id, secret)
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_the_scopes_are_enforced(client):
    organisation = ngo_organisation()
    open_call()
    record, secret = register(TokenScope.READ, organisation=organisation)
    access = get_token(client, record, secret).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    assert client.get("/api/v1/applications", headers=headers).status_code == 200
    refused = client.post("/api/v1/applications", json={}, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["type"].endswith("scope-missing")


def test_an_organisations_client_sees_only_its_organisation(client):
    mine = ngo_organisation(name="Mine")
    other = ngo_organisation(name="Other")
    call = open_call()
    started_application(call=call, organisation=other)
    record, secret = register(TokenScope.READ, organisation=mine)
    access = get_token(client, record, secret).get_json()["access_token"]
    listed = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {access}"})
    assert listed.get_json()["applications"] == []


def test_an_expired_token_is_refused(client):
    record, secret = register()
    access = get_token(client, record, secret).get_json()["access_token"]
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == record.user_id)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401 and "expired" in response.get_json()["detail"]


def test_revoking_a_client_ends_its_tokens_and_its_secret(client, sign_in):
    record, secret = register()
    access = get_token(client, record, secret).get_json()["access_token"]
    sign_in(user_with(Role.ADMIN))
    assert client.post(f"/admin/api-clients/{record.id}/revoke").status_code == 302
    headers = {"Authorization": f"Bearer {access}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert get_token(client, record, secret).status_code == 401
    assert db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "oauth_client.revoked")
    ).one()


def test_a_new_secret_replaces_the_old_one(client, sign_in):
    record, old = register()
    access = get_token(client, record, old).get_json()["access_token"]
    sign_in(user_with(Role.ADMIN))
    page = client.post(f"/admin/api-clients/{record.id}/rotate").get_data(as_text=True)
    new = page.split('id="client-secret">')[1].split("<")[0]
    assert get_token(client, record, old).status_code == 401
    assert get_token(client, record, new).status_code == 200
    headers = {"Authorization": f"Bearer {access}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_staff_client_works_while_staff_need_two_factor(app, client):
    app.config["REQUIRE_2FA_FOR_STAFF"] = True
    try:
        record, secret = register()
        access = get_token(client, record, secret).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {access}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    finally:
        app.config["REQUIRE_2FA_FOR_STAFF"] = False


def test_a_clients_account_is_told_nothing(client):
    organisation = ngo_organisation()
    finance, _s = register()
    ngo, _s2 = register(organisation=organisation)
    told = fund_staff_with(Permission.APPROVE_DISBURSEMENT, organisation_id=organisation.id)
    assert finance.user not in told
    assert ngo.user not in organisation_staff(organisation.id)


def test_a_malformed_client_id_is_refused_not_an_error(client):
    for client_id in ("tfc_\x00", "x" * 500):
        response = client.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "s"},
        )
        # A NUL byte is refused by the API's own guard (400), a long id as unknown (401).
        assert response.status_code in (400, 401)
        assert response.mimetype == "application/problem+json"


def test_an_administrator_cannot_give_a_clients_account_another_role():
    from app.accounts.services.administration import grant_role
    from app.platform.errors import PermissionDenied

    record, _secret = register()
    with pytest.raises(PermissionDenied):
        grant_role(actor=user_with(Role.ADMIN), user=record.user, role=Role.ADMIN)
    assert record.user.roles == {Role.FINANCE}


def test_the_token_endpoint_needs_no_form_token(app, client, monkeypatch):
    # A program posts no CSRF token: it has no form and no session cookie to ride on.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    record, secret = register()
    assert get_token(client, record, secret).status_code == 200


def test_a_write_route_needs_no_form_token_either(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    record, secret = register(TokenScope.READ, TokenScope.WRITE, organisation=ngo_organisation())
    access = get_token(client, record, secret).get_json()["access_token"]
    response = client.post(
        "/api/v1/applications", json={}, headers={"Authorization": f"Bearer {access}"}
    )
    assert response.status_code == 422  # the body's rules answer, not a missing form token
    assert response.mimetype == "application/problem+json"


def test_a_client_limited_to_an_area_gets_tokens_for_that_area_only(client):
    # A partner's tool granted the area "applications" only: its applications answer, its
    # grants do not.
    record, secret = register(
        TokenScope.READ, TokenScope.APPLICATIONS, organisation=ngo_organisation()
    )
    token = get_token(client, record, secret).get_json()
    assert token["scope"] == "applications read"
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/applications", headers=headers).status_code == 200
    refused = client.get("/api/v1/grants", headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["type"].endswith("scope-missing")
    assert "grants" in refused.get_json()["detail"]
    # Asking for an area the client was not granted is OAuth's invalid_scope.
    asked = get_token(client, record, secret, scope="read grants")
    assert asked.status_code == 400 and asked.get_json()["error"] == "invalid_scope"
    # Asking for "read" alone gets the client's areas with it.
    assert get_token(client, record, secret, scope="read").get_json()["scope"] == (
        "applications read"
    )
