"""The token-authenticated JSON API: who is asking, what each person sees, and the OpenAPI
document every answer is checked against."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.accounts.models import Role
from app.platform.db import utcnow
from app.platform.extensions import db
from app.tokens import services as tokens
from app.tokens.models import TokenScope
from app.web.api import TOKEN_RATE_LIMIT, openapi_document
from tests.applications_support import (
    applicant_of,
    ngo_organisation,
    open_call,
    started_application,
)
from tests.factories import user_with
from tests.grants_support import USD, approved_application, award, fund


def bearer(user: Any, *scopes: TokenScope, days: int = 90) -> dict[str, str]:
    _token, secret = tokens.create_token(
        actor=user, name="test", scopes=scopes or (TokenScope.READ,), days=days
    )
    return {"Authorization": f"Bearer {secret}"}


def get(app: Any, client: Any, url: str, headers: dict[str, str] | None = None) -> Any:
    """GET ``url`` and check the answer against the OpenAPI document's schema for it."""
    response = client.get(url, headers=headers or {})
    document = openapi_document(app)
    path = url.split("?")[0]
    responses = document["paths"][path]["get"]["responses"]
    described = responses.get(str(response.status_code))
    assert described is not None, f"{path} answered {response.status_code}, not documented"
    if "content" in described:
        schema = next(iter(described["content"].values()))["schema"]
        Draft202012Validator(schema).validate(response.get_json())
    return response


def test_without_a_token_a_private_route_is_a_problem_401(app, client):
    response = get(app, client, "/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["status"] == 401 and body["type"].endswith("token-missing")


def test_a_browser_session_is_not_a_token(app, client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER))
    assert get(app, client, "/api/v1/me").status_code == 401


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked", "closed account"])
def test_refused_tokens(app, client, state):
    user = user_with(Role.APPLICANT)
    token, secret = tokens.create_token(actor=user, name="t", scopes=[TokenScope.READ])
    if state == "unknown":
        secret = tokens.TOKEN_PREFIX + "not-a-real-one"
    elif state == "expired":
        token.expires_at = utcnow() - timedelta(seconds=1)
    elif state == "revoked":
        tokens.revoke_token(actor=user, token_id=token.id)
    else:
        user.is_active = False
    db.session.flush()
    response = get(app, client, "/api/v1/me", {"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.get_json()["type"].endswith("token-invalid")


def test_a_write_only_token_may_not_read(app, client):
    headers = bearer(user_with(Role.APPLICANT), TokenScope.WRITE)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_me_answers_as_the_person_and_notes_the_use_once_a_minute(app, client):
    user = user_with(Role.APPLICANT, full_name="Amina Okafor")
    token, secret = tokens.create_token(actor=user, name="t", scopes=[TokenScope.READ])
    headers = {"Authorization": f"Bearer {secret}"}
    body = get(app, client, "/api/v1/me", headers).get_json()
    assert body["email"] == user.email and body["roles"] == ["applicant"]
    assert "apply_for_grant" in body["permissions"]
    db.session.refresh(token)
    first_use = token.last_used_at
    assert first_use is not None
    get(app, client, "/api/v1/me", headers)
    db.session.refresh(token)
    assert token.last_used_at == first_use
    assert client.get("/api/v1/me").status_code == 401  # no cookie was left behind


def test_an_ngo_token_never_sees_another_ngos_applications_or_grants(app, client):
    call = open_call()
    mine = ngo_organisation(name="Safe Haven", registration_number="RC-A")
    theirs = ngo_organisation(name="Freedom Path", registration_number="RC-B")
    own_application = started_application(call=call, organisation=mine)
    started_application(call=call, organisation=theirs)
    fund(100_000 * USD)
    their_grant = award(approved_application())
    headers = bearer(applicant_of(mine))

    applications = get(app, client, "/api/v1/applications", headers).get_json()
    assert [a["id"] for a in applications["applications"]] == [own_application.id]
    assert applications["applications"][0]["organisation"]["name"] == "Safe Haven"

    grants = get(app, client, "/api/v1/grants", headers).get_json()
    assert grants["grants"] == []

    grantee = bearer(applicant_of(their_grant.organisation))
    seen = get(app, client, "/api/v1/grants", grantee).get_json()["grants"]
    assert [g["reference"] for g in seen] == [their_grant.reference]
    assert seen[0]["amount"] == {
        "amount_minor": str(their_grant.amount),
        "currency": their_grant.currency,
    }
    assert seen[0]["awarded_at"].endswith("+00:00")


def test_staff_who_see_every_application_page_through_all_of_them(app, client):
    call = open_call()
    made = [
        started_application(
            call=call, organisation=ngo_organisation(name=f"NGO {n}", registration_number=f"R{n}")
        )
        for n in range(3)
    ]
    app.config["PAGE_SIZE"], saved = 2, app.config["PAGE_SIZE"]
    try:
        headers = bearer(user_with(Role.FUND_MANAGER))
        first = get(app, client, "/api/v1/applications", headers).get_json()
        assert len(first["applications"]) == 2 and first["next_cursor"]
        url = f"/api/v1/applications?after={first['next_cursor']}"
        second = get(app, client, url, headers).get_json()
        assert second["next_cursor"] is None
        seen = [a["id"] for a in first["applications"] + second["applications"]]
        assert sorted(seen) == sorted(a.id for a in made)
    finally:
        app.config["PAGE_SIZE"] = saved


def test_staff_see_every_grant_and_others_none(app, client):
    fund(100_000 * USD)
    grant = award(approved_application())
    staff = get(app, client, "/api/v1/grants", bearer(user_with(Role.FUND_MANAGER))).get_json()
    assert [g["id"] for g in staff["grants"]] == [grant.id]
    donor = get(app, client, "/api/v1/grants", bearer(user_with(Role.DONOR))).get_json()
    assert donor["grants"] == []


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = get(app, client, "/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    listed = {
        (path, method) for path, operations in document["paths"].items() for method in operations
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in listed, f"{method} {rule.rule} is not documented"


def test_the_public_routes_answer_as_documented(app, client):
    open_call()
    assert get(app, client, "/api/v1/calls").status_code == 200
    assert get(app, client, "/api/v1/transparency").status_code == 200


def test_each_token_has_its_own_rate_limit(app, client):
    user = user_with(Role.APPLICANT)
    busy, other = bearer(user), bearer(user)
    allowed = int(TOKEN_RATE_LIMIT.split()[0])
    statuses = [client.get("/api/v1/me", headers=busy).status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed and statuses[-1] == 429
    assert client.get("/api/v1/me", headers=other).status_code == 200
