"""An id beyond what an id column holds is a missing page (404), never a 500.

PostgreSQL refuses to compare an ``integer`` column with 2**31 or more ("integer out of
range"); the ``int`` URL converter (app/web/ids.py) refuses such ids before any view runs. The
walk covers every route with an ``<int:...>`` variable, GET and POST, signed in with every role
(so no route turns the visitor away before it would load the record) and, for the JSON API,
with a read/write token.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from app.accounts.models import Role
from app.tokens.models import TokenScope
from app.tokens.services import create_token
from app.web.ids import LARGEST_ID
from tests.factories import user_with

HUGE_IDS = [2**31, 2**63, 10**20]
_SAMPLES = {"role": "donor", "uuid": "00000000-0000-4000-8000-000000000000"}


def _routes_with_ids(app: Flask, huge: int) -> list[tuple[str, str]]:
    """(method, url) for every route with an int variable, each int set to ``huge``."""
    found = []
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        if not any(isinstance(c, IntegerConverter) for c in converters.values()):
            continue
        values: dict[str, Any] = {}
        for name, converter in converters.items():
            if isinstance(converter, IntegerConverter):
                values[name] = huge
            else:
                kind = type(converter).__name__.replace("Converter", "").lower()
                values[name] = _SAMPLES.get(name, _SAMPLES.get(kind, "sample"))
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((method, url))
    return found


def test_every_int_variable_is_capped_at_the_id_columns_range(app):
    capped = [
        (rule.rule, name)
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter) and converter.max != LARGEST_ID
    ]
    assert capped == []


def test_the_walk_covers_pages_forms_and_the_api(app):
    routes = _routes_with_ids(app, 2**31)
    assert len(routes) > 100
    assert ("GET", f"/grants/{2**31}") in routes
    assert any(method == "POST" for method, _url in routes)
    assert any(url.startswith("/api/v1/") for _method, url in routes)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_an_id_too_big_for_its_column_is_a_404(app, client, sign_in, role):
    user = user_with(role)
    sign_in(user)
    _token, secret = create_token(
        actor=user, name="big ids", scopes=[TokenScope.READ, TokenScope.WRITE]
    )
    api = {"Authorization": f"Bearer {secret}"}
    problems = []
    routes = [route for huge in HUGE_IDS for route in _routes_with_ids(app, huge)]
    for method, url in routes:
        headers = api if url.startswith("/api/") else None
        response = client.open(url, method=method, data={}, headers=headers)
        if response.status_code != 404:
            problems.append(f"{method} {url}: {response.status_code}")
    assert problems == [], "\n".join(problems)


def test_the_largest_id_still_reaches_the_view(app, client, sign_in):
    sign_in(user_with(Role.ADMIN))
    response = client.get(f"/grants/{LARGEST_ID}")
    assert response.status_code == 404  # missing, answered by the view itself
    assert b"<html" in response.data


@pytest.mark.parametrize(
    "path", [f"/api/v1/applications/{2**31}", f"/api/v1/grants/{10**20}/reports"]
)
def test_the_api_answers_a_problem_for_an_id_too_big(app, client, sign_in, path):
    user = user_with(Role.FUND_MANAGER)
    _token, secret = create_token(actor=user, name="big ids", scopes=[TokenScope.READ])
    response = client.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "urn:trustfund:problem:not-found"
    assert response.json["status"] == 404


@pytest.mark.parametrize("largest", [9, 10, 2026, 99999, 100000, 2**31 - 1])
def test_the_id_pattern_matches_exactly_the_numbers_up_to_the_largest(largest):
    import re

    from app.web.ids import digits_up_to

    pattern = re.compile(digits_up_to(largest))
    near = [*range(0, 1000), *range(max(0, largest - 1000), largest + 1000)]
    assert [n for n in near if bool(pattern.fullmatch(str(n))) != (n <= largest)] == []
    assert pattern.fullmatch(f"00{largest}")
    assert not pattern.fullmatch(str(10**20))
