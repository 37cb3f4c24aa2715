"""Walks every registered route for anonymous visitors and for each role, and checks the answer
against the route's declared access rule and the role→permission map.

A new route without @public, @login_required or @requires(...) fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.accounts.models import Role
from app.tokens.models import TokenScope
from app.tokens.services import create_token
from app.web.access import PUBLIC, access_rule_of
from tests.factories import user_with

# Values for URL variables: ids that do not exist (object routes then answer 404 to permitted users,
# which is still "not refused"), and plausible strings.
_SAMPLE_VALUES = {"integer": "999999", "uuid": "00000000-0000-4000-8000-000000000000"}
_NAMED_SAMPLES = {"role": "donor"}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, url, method) for every route, with variables filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__.replace("Converter", "").lower()
            values[name] = _NAMED_SAMPLES.get(name, _SAMPLE_VALUES.get(kind, "sample"))
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, url, method))
    return found


def undeclared_endpoints(app: Flask) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_rule_of(app.view_functions[rule.endpoint]) is None
    )


def test_every_route_declares_who_may_use_it(app):
    assert undeclared_endpoints(app) == []


def test_an_undeclared_route_is_caught(app):
    from app import create_app

    other = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    other.add_url_rule("/forgotten", "forgotten", lambda: "oops")
    assert undeclared_endpoints(other) == ["forgotten"]


def _call(client: Any, method: str, url: str, headers: dict[str, str] | None = None) -> Any:
    return client.open(url, method=method, data={}, headers=headers, follow_redirects=False)


def _api_headers(user: Any) -> dict[str, str]:
    """The JSON API answers a personal access token, never the browser's session (one that
    may read and write: the scopes have their own matrix, tests/web/api/test_api_matrix.py)."""
    if user is None:
        return {}
    _token, secret = create_token(
        actor=user, name="permission walk", scopes=[TokenScope.READ, TokenScope.WRITE]
    )
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_each_role_gets_what_the_permission_map_says(app, client, sign_in, role):
    user = None
    if role is not None:
        user = user_with(role)
        sign_in(user)
    problems = []
    api_headers = _api_headers(user)
    for endpoint, url, method in _routes(app):
        rule = access_rule_of(app.view_functions[endpoint])
        if user is not None and endpoint == "auth.logout":
            continue  # signing out mid-walk would turn the rest of the walk anonymous
        is_api = url.startswith("/api/")
        response = _call(client, method, url, api_headers if is_api else None)
        status = response.status_code
        if status >= 500:
            problems.append(f"{method} {url}: {status}")
        elif is_api and user is None and rule.kind != PUBLIC:
            # No token: the API answers 401 (problem details), it has no sign-in page.
            if status != 401:
                problems.append(f"{method} {url}: anonymous got {status}, expected 401")
        elif rule.kind == PUBLIC:
            # Public pages may still redirect (e.g. the 2FA step without a pending sign-in).
            if status in (401, 403):
                problems.append(f"{method} {url}: public page refused ({status})")
        elif user is not None and rule.allows(user):
            if status in (401, 403) or (status == 302 and "/login" in response.location):
                problems.append(f"{method} {url}: refused ({status}) though allowed")
        elif user is None:
            if not (status == 302 and "/login" in response.location):
                problems.append(f"{method} {url}: anonymous got {status}, expected sign-in")
        elif status != 403:
            problems.append(f"{method} {url}: {role} got {status}, expected 403")
    assert problems == []
