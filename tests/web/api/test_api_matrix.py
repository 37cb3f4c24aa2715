"""The API's permission matrix: every /api/v1 operation x every role (and the NGO's own member)
x token scope (read, write, both), each with the status it must answer. A token's scope
limits the private routes; the public ones answer it as they answer anyone.

The records are an NGO's draft application and its active grant's report. Writes are sent with
a body the route refuses (422, or 428 without If-Match), so the walk changes nothing: the status
says how far the request got: 403 (scope or permission), 404 (not theirs to see), or the
validation behind both. A new /api/v1 operation fails here until it is given its row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.accounts.models import Role
from app.accounts.permissions import Permission, has_permission
from app.tokens import services as tokens
from app.tokens.models import TokenScope
from app.web.access import PUBLIC, access_rule_of
from tests.applications_support import applicant_of, open_call, started_application
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund

SCOPES = {
    "read": (TokenScope.READ,),
    "write": (TokenScope.WRITE,),
    "read+write": (TokenScope.READ, TokenScope.WRITE),
}


def _sees_every_application(user: Any) -> bool:
    return has_permission(user, Permission.VIEW_ALL_APPLICATIONS)


def _sees_every_grant(user: Any) -> bool:
    return has_permission(user, Permission.VIEW_ALL_APPLICATIONS) or has_permission(
        user, Permission.VIEW_LEDGER
    )


# operationId -> (body sent, the status once scope and route permission allow it: from the
# person and whether they belong to the NGO).
Expected = Callable[[Any, bool], int]
OPERATIONS: dict[str, tuple[Any, Expected]] = {
    "openapi": (None, lambda user, member: 200),
    "calls": (None, lambda user, member: 200),
    "transparency_json": (None, lambda user, member: 200),
    "me": (None, lambda user, member: 200),
    # Public, authenticated by the client's own credentials: a request without a grant_type is
    # malformed (OAuth 2 invalid_request).
    "oauth_token": (None, lambda user, member: 400),
    "applications": (None, lambda user, member: 200),
    "grants": (None, lambda user, member: 200),
    "application": (
        None,
        lambda user, member: 200 if member or _sees_every_application(user) else 404,
    ),
    "grant_reports": (
        None,
        lambda user, member: 200 if member or _sees_every_grant(user) else 404,
    ),
    "start_application": ({}, lambda user, member: 422),
    "save_section": ({}, lambda user, member: 428 if member else 404),
    "submit_application": ({}, lambda user, member: 422 if member else 404),
    "submit_report": ({"results": 5}, lambda user, member: 422 if member else 404),
}


@pytest.fixture
def records() -> dict[str, Any]:
    fund(100_000 * USD)
    grant = active_grant()
    application = started_application(call=open_call(), organisation=grant.organisation)
    return {
        "member": applicant_of(grant.organisation),
        "ids": {
            "application_id": application.id,
            "grant_id": grant.id,
            "report_id": grant.reports[0].id,
            "section": "summary",
        },
    }


def _operations(app: Any, ids: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(operationId, method, url, access rule) of every /api/v1 route."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1."):
            continue
        url = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint.removeprefix("api_v1."), method, url, view))
    return found


def test_every_api_operation_has_its_row(app, records):
    listed = {name for name, *_rest in _operations(app, records["ids"])}
    assert listed == set(OPERATIONS), "give each /api/v1 operation its row in OPERATIONS"


@pytest.mark.parametrize("who", [*Role, "ngo member"], ids=str)
def test_each_operation_answers_each_role_and_scope_as_the_matrix_says(app, client, records, who):
    user = records["member"] if who == "ngo member" else user_with(who)
    member = who == "ngo member"
    wrong = []
    walked = 0
    for scope_name, scopes in SCOPES.items():
        _token, secret = tokens.create_token(actor=user, name=scope_name, scopes=scopes)
        headers = {"Authorization": f"Bearer {secret}"}
        for name, method, url, view in _operations(app, records["ids"]):
            body, outcome = OPERATIONS[name]
            needed = TokenScope.READ if method == "GET" else TokenScope.WRITE
            rule = access_rule_of(view)
            public = rule is not None and rule.kind == PUBLIC
            refused = rule is not None and not rule.allows(user)
            scoped_out = needed not in scopes and not public
            expected = 403 if scoped_out or refused else outcome(user, member)
            response = client.open(url, method=method, headers=headers, json=body)
            walked += 1
            if response.status_code != expected:
                wrong.append(f"{scope_name} {method} {url}: {response.status_code}, not {expected}")
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json", (method, url)
    assert wrong == []
    assert walked == len(SCOPES) * len(_operations(app, records["ids"]))
