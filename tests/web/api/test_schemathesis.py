"""Schemathesis against the API, in process: it reads /api/v1/openapi.json from the app, makes
requests from each operation's schema (bounded: ``MAX_EXAMPLES`` per operation and token), sends
them through the WSGI app with the token of an NGO's member and of a fund manager, and fails on
any 5xx, any status the document does not list, or any answer that breaks its schema. Then the
stateful run follows the document's links (start an application, save a section with its ETag,
submit it; a grant's reports, submit one). A summary of what was covered is printed (``-s``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import hypothesis
import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts.models import Role
from app.applications import services as applications
from app.donations import services as donations
from app.platform.categories import DocumentKind
from app.platform.extensions import db, limiter
from app.platform.storage import get_storage
from app.tokens import services as tokens
from app.tokens.models import TokenScope
from tests.applications_support import PDF, applicant_of, open_call, started_application
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund

MAX_EXAMPLES = 25
STATEFUL_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _token(user: Any) -> dict[str, str]:
    _made, secret = tokens.create_token(
        actor=user, name="schemathesis", scopes=[TokenScope.READ, TokenScope.WRITE]
    )
    # Schemathesis's WSGI transport does not decompress: ask for the plain body (the app
    # compresses for clients that accept it).
    return {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}


@pytest.fixture
def world() -> dict[str, Any]:
    """An NGO with a draft (a document attached) and an active grant (reports due), a fund
    manager, and, for their own areas, a donor with a receipt, a finance officer and a reviewer:
    their tokens, and the ids of the records (half the requests use them, half random ones)."""
    fund(100_000 * USD)
    grant = active_grant()
    ngo = applicant_of(grant.organisation)
    draft = started_application(call=open_call(), organisation=grant.organisation)
    document = applications.upload_document(
        actor=ngo,
        organisation=grant.organisation,
        application=draft,
        kind=DocumentKind.PROPOSAL,
        filename="proposal.pdf",
        data=PDF,
        storage=get_storage(),
    )
    donor = user_with(Role.DONOR)
    finance = user_with(Role.FINANCE)
    _bank, receipt = donations.record_bank_receipt(
        actor=finance,
        value_date=date(2026, 11, 2),
        amount=50_000,
        currency="USD",
        bank_reference="FUZZ-1",
        donor=donations.find_or_create_individual_donor(
            actor=donor, name=donor.full_name, email=donor.email
        ),
    )
    # A second open call the NGO has not applied to: the stateful run starts its application.
    call = open_call(reference="SGP-FUZZ-2")
    return {
        # Each token with the areas (None: every operation) it is fuzzed on.
        "tokens": {
            "ngo": (_token(ngo), None),
            "fund manager": (_token(user_with(Role.FUND_MANAGER)), None),
            "donor": (_token(donor), {"donations"}),
            "finance": (_token(finance), {"finance", "donations"}),
            "reviewer": (_token(user_with(Role.REVIEWER)), {"reviews"}),
        },
        "ids": {
            "application_id": draft.id,
            "grant_id": grant.id,
            "report_id": grant.reports[0].id,
            "document_id": document.id,
            "receipt_id": receipt.id,
        },
        "start": {"call_id": call.id, "organisation_id": grant.organisation_id},
    }


class _OwnContexts:
    """The app as a WSGI callable whose every request pushes its own app context."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        token = _cv_app.set(None)  # type: ignore[arg-type]
        try:
            return self.app(environ, start_response)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()


def _fuzzed_for(operation: Any, areas: set[str] | None) -> bool:
    """Whether a token fuzzed on ``areas`` (None: all) is sent to ``operation``."""
    scopes = operation.definition.raw.get("x-token-scopes", [])
    return areas is None or bool(areas & set(scopes))


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(app, world):
    limiter.enabled = False  # hundreds of requests a minute on one token, on purpose
    # Each request in its own app context, as IsolatedClient does (tests/conftest.py): sent
    # straight to the app, they would share the test's, and so ``g``, where the first request's
    # token and user would stay for every later one, whatever token it sent.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _OwnContexts(app))
    covered: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for headers, areas in world["tokens"].values():
        for operation in operations:
            if not _fuzzed_for(operation, areas):
                continue
            _fuzz(operation, headers, covered, statuses)
            known = {
                name: value
                for name, value in world["ids"].items()
                if f"{{{name}}}" in operation.path
            }
            if known:
                _fuzz(operation, headers, covered, statuses, path_parameters=known)
    _stateful(schema, world["tokens"]["ngo"][0], world["start"], covered, statuses)
    print(f"\nSchemathesis: {len(operations)} operations, {sum(covered.values())} requests")
    for label, count in sorted(covered.items()):
        answers = {
            k.rsplit(" ", 1)[1]: v for k, v in statuses.items() if k.rsplit(" ", 1)[0] == label
        }
        print(f"  {count:4d}  {label}  {answers or ''}")
    assert set(covered) >= {f"{o.method.upper()} {o.path}" for o in operations}


def _fuzz(
    operation: Any,
    headers: dict[str, str],
    covered: Counter[str],
    statuses: Counter[str],
    path_parameters: dict[str, Any] | None = None,
) -> None:
    """``MAX_EXAMPLES`` requests made from ``operation``'s schema, each answer checked."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(path_parameters=path_parameters))
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        covered[label] += 1
        statuses[f"{label} {response.status_code}"] += 1

    run()


def _stateful(
    schema: Any,
    headers: dict[str, str],
    start: dict[str, int],
    covered: Counter[str],
    statuses: Counter[str],
) -> None:
    """Scenarios along the document's links, as the NGO; a scenario that starts an application
    starts it to the open call (random ids would only ever find nothing to follow)."""
    base = schema.as_state_machine()

    class Scenarios(base):  # type: ignore[misc, valid-type]
        def before_call(self, case: Any) -> None:
            if case.operation.path == "/api/v1/applications" and case.method == "POST":
                case.body = dict(start)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            label = f"stateful {case.operation.method.upper()} {case.operation.path}"
            covered[label] += 1
            statuses[f"{label} {response.status_code}"] += 1
            case.validate_response(response, checks=CHECKS)

    Scenarios.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
