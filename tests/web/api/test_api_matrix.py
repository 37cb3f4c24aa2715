"""The API's permission matrix: every /api/v1 operation x every role (and the NGO's own member,
and the donor whose receipt it is) x token scope (read, write, both, and read+write limited to
each area: applications, grants, reviews, donations, finance), each with the status it must
answer. A token's scopes limit the private routes; the public ones answer it as they answer
anyone.

The records are an NGO's draft application and its active grant's report. Writes are sent with
a body the route refuses (422, or 428 without If-Match), so the walk changes nothing: the status
says how far the request got: 403 (scope or permission), 404 (not theirs to see), or the
validation behind both. A new /api/v1 operation fails here until it is given its row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.accounts.models import Role
from app.accounts.permissions import Permission, has_permission
from app.applications import services as applications
from app.donations import services as donations
from app.platform.categories import DocumentKind
from app.platform.storage import get_storage
from app.tokens import services as tokens
from app.tokens.models import AREA_SCOPES, TokenScope
from app.web.access import PUBLIC, access_rule_of
from app.web.api import area_of
from tests.applications_support import PDF, applicant_of, open_call, started_application
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund

SCOPES = {
    # Naming no area means every area (tokens made by a program's own code, and those made
    # before areas existed, which the migration gave every area).
    "read": (TokenScope.READ,),
    "write": (TokenScope.WRITE,),
    "read+write": (TokenScope.READ, TokenScope.WRITE),
    **{
        f"read+write+{area.value}": (TokenScope.READ, TokenScope.WRITE, area)
        for area in sorted(AREA_SCOPES)
    },
}


def _sees_every_application(user: Any) -> bool:
    return has_permission(user, Permission.VIEW_ALL_APPLICATIONS)


def _sees_every_contribution(user: Any) -> bool:
    return has_permission(user, Permission.VIEW_ALL_CONTRIBUTIONS)


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
    "grant_results": (
        None,
        lambda user, member: 200 if member or _sees_every_grant(user) else 404,
    ),
    "start_application": ({}, lambda user, member: 422),
    "save_section": ({}, lambda user, member: 428 if member else 404),
    "submit_application": ({}, lambda user, member: 422 if member else 404),
    "submit_report": ({"results": 5}, lambda user, member: 422 if member else 404),
    # Documents: the application's, as its page.
    "application_documents": (
        None,
        lambda user, member: 200 if member or _sees_every_application(user) else 404,
    ),
    "upload_document": ({}, lambda user, member: 422 if member else 404),
    "document": (
        None,
        lambda user, member: 200 if member or _sees_every_application(user) else 404,
    ),
    # Reviews: the reviewer's own; an application's for staff who see every application.
    "my_reviews": (None, lambda user, member: 200),
    "application_reviews": (None, lambda user, member: 200),
    # Finance and donations lists: whoever the route's permission lets in sees them all.
    "ledger_accounts": (None, lambda user, member: 200),
    "ledger_transfers": (None, lambda user, member: 200),
    "disbursements": (None, lambda user, member: 200),
    "paid_tranches": (None, lambda user, member: 200),
    "contributions": (None, lambda user, member: 200),
    "pledges": (None, lambda user, member: 200),
    "bank_receipts": (None, lambda user, member: 200),
    "exchange_rates": (None, lambda user, member: 200),
    "iati_files": (None, lambda user, member: 200),
    # A donor's own: the lists answer every donor (theirs only); the receipt is the donor's.
    "my_gifts": (None, lambda user, member: 200),
    "my_pledges": (None, lambda user, member: 200),
    "my_receipts": (None, lambda user, member: 200),
    "receipt": (None, lambda user, owner: 200 if owner or _sees_every_contribution(user) else 404),
    "receipt_document": (
        None,
        lambda user, owner: 200 if owner or _sees_every_contribution(user) else 404,
    ),
}
# The operations about a donor's records: "member" means the donor whose they are.
DONOR_OPERATIONS = {"receipt", "receipt_document"}


@pytest.fixture
def records() -> dict[str, Any]:
    fund(100_000 * USD)
    grant = active_grant()
    application = started_application(call=open_call(), organisation=grant.organisation)
    member = applicant_of(grant.organisation)
    document = applications.upload_document(
        actor=member,
        organisation=grant.organisation,
        application=application,
        kind=DocumentKind.PROPOSAL,
        filename="proposal.pdf",
        data=PDF,
        storage=get_storage(),
    )
    donor_user = user_with(Role.DONOR)
    donor = donations.find_or_create_individual_donor(
        actor=donor_user, name=donor_user.full_name, email=donor_user.email
    )
    _bank, receipt = donations.record_bank_receipt(
        actor=user_with(Role.FINANCE),
        value_date=date(2026, 11, 2),
        amount=50_000,
        currency="USD",
        bank_reference="MATRIX-1",
        donor=donor,
    )
    return {
        "member": member,
        "donor": donor_user,
        "ids": {
            "application_id": application.id,
            "grant_id": grant.id,
            "report_id": grant.reports[0].id,
            "section": "summary",
            "document_id": document.id,
            "receipt_id": receipt.id,
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


@pytest.mark.parametrize("who", [*Role, "ngo member", "the donor"], ids=str)
def test_each_operation_answers_each_role_and_scope_as_the_matrix_says(app, client, records, who):
    user = {"ngo member": records["member"], "the donor": records["donor"]}.get(who)
    user = user or user_with(who)
    wrong = []
    walked = 0
    for scope_name, scopes in SCOPES.items():
        _token, secret = tokens.create_token(actor=user, name=scope_name, scopes=scopes)
        headers = {"Authorization": f"Bearer {secret}"}
        for name, method, url, view in _operations(app, records["ids"]):
            body, outcome = OPERATIONS[name]
            member = who == ("the donor" if name in DONOR_OPERATIONS else "ngo member")
            needed = TokenScope.READ if method == "GET" else TokenScope.WRITE
            area = area_of(view)
            rule = access_rule_of(view)
            public = rule is not None and rule.kind == PUBLIC
            refused = rule is not None and not rule.allows(user)
            # A token naming no area may use every area.
            areas = set(scopes) & AREA_SCOPES or AREA_SCOPES
            scoped_out = not public and (needed not in scopes or (area and area not in areas))
            expected = 403 if scoped_out or refused else outcome(user, member)
            response = client.open(url, method=method, headers=headers, json=body)
            walked += 1
            if response.status_code != expected:
                wrong.append(f"{scope_name} {method} {url}: {response.status_code}, not {expected}")
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json", (method, url)
    assert wrong == []
    assert walked == len(SCOPES) * len(_operations(app, records["ids"]))
