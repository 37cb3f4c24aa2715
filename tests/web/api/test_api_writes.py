"""An NGO's writes through the API: a draft started, its sections saved (If-Match), submitted;
a grant report submitted with its counts; Idempotency-Key; problem details; and that another
NGO's token can neither read nor change any of it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from app.accounts.models import Role
from app.applications.models import Application, ApplicationStatus
from app.grants.models import FigureDimension, ReportKind, ReportStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from app.tokens import idempotency
from app.tokens import services as tokens
from app.tokens.models import IdempotencyKey, TokenScope
from app.web.api import openapi_document
from tests.applications_support import (
    applicant_of,
    complete,
    ngo_organisation,
    open_call,
    started_application,
    storage,  # noqa: F401 - the fixture
)
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, report_of, signatory
from tests.real_commits import committed, committed_rows_removed, race

READ_WRITE = (TokenScope.READ, TokenScope.WRITE)


def bearer(user: Any, *scopes: TokenScope) -> dict[str, str]:
    _token, secret = tokens.create_token(actor=user, name="t", scopes=scopes or READ_WRITE)
    return {"Authorization": f"Bearer {secret}"}


def call_api(
    app: Any,
    client: Any,
    method: str,
    url: str,
    headers: dict[str, str],
    body: Any = None,
) -> Any:
    """Send the request and check the answer against the OpenAPI document's schema for it."""
    response = client.open(url, method=method, headers=headers, json=body)
    document = openapi_document(app)
    path = next(
        p
        for p in document["paths"]
        if _matches(p, url.split("?")[0]) and method.lower() in document["paths"][p]
    )
    described = document["paths"][path][method.lower()]["responses"].get(str(response.status_code))
    assert described is not None, f"{method} {path} answered {response.status_code}"
    if "content" in described:
        media, content = next(iter(described["content"].items()))
        assert response.mimetype == media
        Draft202012Validator(content["schema"]).validate(response.get_json())
    return response


def _matches(template: str, path: str) -> bool:
    parts, actual = template.split("/"), path.split("/")
    return len(parts) == len(actual) and all(
        p == a or p.startswith("{") for p, a in zip(parts, actual, strict=True)
    )


def test_an_ngo_starts_a_draft_and_saves_its_sections_with_if_match(app, client):
    call = open_call()
    organisation = ngo_organisation()
    headers = bearer(applicant_of(organisation))
    body = {"call_id": call.id, "organisation_id": organisation.id}
    started = call_api(app, client, "POST", "/api/v1/applications", headers, body)
    assert started.status_code == 201
    draft = started.get_json()
    assert draft["status"] == "draft" and draft["organisation"]["id"] == organisation.id
    etag = started.headers["ETag"]

    url = f"/api/v1/applications/{draft['id']}/sections/summary"
    summary = {"title": "Shelter", "summary": "A shelter.", "language": "en", "duration_months": 6}
    missing = call_api(app, client, "PUT", url, headers, summary)
    assert missing.status_code == 428
    saved = call_api(app, client, "PUT", url, {**headers, "If-Match": etag}, summary)
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    assert saved.get_json()["title"] == "Shelter"
    # Built on the version before: refused, nothing overwritten.
    stale = call_api(app, client, "PUT", url, {**headers, "If-Match": etag}, {"title": "Old"})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"

    budget_url = f"/api/v1/applications/{draft['id']}/sections/budget"
    lines = {
        "lines": [
            {
                "category": "direct_assistance",
                "description": "Beds",
                "quantity": 4,
                "unit_cost_minor": "12550",
            }
        ]
    }
    budget = call_api(
        app, client, "PUT", budget_url, {**headers, "If-Match": saved.headers["ETag"]}, lines
    )
    assert budget.status_code == 200, budget.get_json()
    assert budget.get_json()["requested"]["amount_minor"] == "50200"
    assert budget.get_json()["content"]["lines"][0]["unit_cost_minor"] == "12550"

    # The page's validation: a language the call does not take, a quantity of 0.
    current = {**headers, "If-Match": budget.headers["ETag"]}
    wrong = call_api(app, client, "PUT", url, current, {**summary, "language": "xx"})
    assert wrong.status_code == 422 and wrong.get_json()["type"].endswith(":invalid")
    bad_line = {"lines": [{**lines["lines"][0], "quantity": 0}]}
    assert call_api(app, client, "PUT", budget_url, current, bad_line).status_code == 422

    # Conditional read: 304 while unchanged.
    detail = f"/api/v1/applications/{draft['id']}"
    again = client.get(detail, headers={**headers, "If-None-Match": budget.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_submission_asks_for_the_declaration_and_the_pages_checks(app, client, storage):  # noqa: F811
    organisation = ngo_organisation()
    owner = applicant_of(organisation)
    application = started_application(organisation=organisation)
    headers = bearer(owner)
    url = f"/api/v1/applications/{application.id}/submission"
    incomplete = call_api(app, client, "POST", url, headers, {"declaration": True})
    assert incomplete.status_code in (409, 422)
    complete(application, owner, storage)
    undeclared = call_api(app, client, "POST", url, headers, {"declaration": False})
    assert undeclared.status_code == 422
    assert "declaration" in undeclared.get_json()["detail"]
    submitted = call_api(app, client, "POST", url, headers, {"declaration": True})
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED
    again = call_api(app, client, "POST", url, headers, {"declaration": True})
    assert again.status_code == 409


def test_a_grantee_submits_a_report_with_its_counts(app, client):
    fund(100_000 * USD)
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    headers = bearer(signatory(grant))
    listed = call_api(app, client, "GET", f"/api/v1/grants/{grant.id}/reports", headers)
    assert report.id in [r["id"] for r in listed.get_json()["reports"]]
    line = listed.get_json()["budget_lines"][0]
    unchanged = client.get(
        f"/api/v1/grants/{grant.id}/reports",
        headers={**headers, "If-None-Match": listed.headers["ETag"]},
    )
    assert unchanged.status_code == 304

    body = {
        "results": "Fifteen survivors housed.",
        "people_assisted": {
            "counts": [
                {"exploitation": "sexual_exploitation", "sex": "female", "age": "adult", "new": 12},
                {"exploitation": "sexual_exploitation", "sex": "female", "age": "child", "new": 3},
            ],
            "by_assistance": {"shelter": 15},
        },
        "spending": {str(line["id"]): "1000"},
    }
    url = f"/api/v1/reports/{report.id}/submission"
    people = body["people_assisted"]
    for wrong in (
        {"counts": [{"exploitation": "forced_labour", "sex": "female", "age": "adult", "new": -1}]},
        {**people, "by_assistance": {"not-a-code": 1}},
        # More people sheltered than assisted: a person is counted once.
        {**people, "by_assistance": {"shelter": 16}},
        # Totals are derived from the cells, never sent beside them.
        {**people, "by_sex_and_age": {"female.adult": 12, "female.child": 3}},
        {**people, "by_form_of_exploitation": {"sexual_exploitation": 40}},
        # The two old tables (still taken where they cross exactly) that disagree: 15 and 40.
        {
            "by_sex_and_age": {"female.adult": 12, "female.child": 3},
            "by_form_of_exploitation": {"sexual_exploitation": 40},
        },
        {
            "by_sex_and_age": {"female.adult": 12, "female.child": 3},
            "by_form_of_exploitation": {"sexual_exploitation": 10, "forced_labour": 5},
        },
        # Nobody was counted before, so nobody can be continuing.
        {"counts": [{"exploitation": "mixed", "sex": "male", "age": "adult", "continuing": 1}]},
        {"counts": people["counts"] * 2},
    ):
        refused = call_api(app, client, "POST", url, headers, {**body, "people_assisted": wrong})
        assert refused.status_code == 422, wrong
    db.session.refresh(report)
    assert report.saved_at is None and report.people_assisted == 0
    done = call_api(app, client, "POST", url, headers, body)
    assert done.status_code == 200
    answered = done.get_json()["people_assisted"]
    assert answered["by_sex_and_age"] == {"female.adult": 12, "female.child": 3}
    assert answered["by_form_of_exploitation"] == {"sexual_exploitation": 15}
    assert (answered["total"], answered["new"], answered["continuing"]) == (15, 15, 0)
    assert answered["counts"][0] == {
        "exploitation": "sexual_exploitation",
        "sex": "female",
        "age": "adult",
        "new": 12,
        "continuing": 0,
    }
    db.session.refresh(report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.figure(FigureDimension.ASSISTANCE, "shelter") == 15
    assert report.people_assisted == 15
    assert call_api(app, client, "POST", url, headers, body).status_code == 409


def test_a_read_only_token_may_not_write_and_staff_may_not_apply(app, client):
    call = open_call()
    organisation = ngo_organisation()
    body = {"call_id": call.id, "organisation_id": organisation.id}
    read_only = bearer(applicant_of(organisation), TokenScope.READ)
    refused = call_api(app, client, "POST", "/api/v1/applications", read_only, body)
    assert refused.status_code == 403 and refused.get_json()["type"].endswith("scope-missing")
    staff = bearer(user_with(Role.FUND_MANAGER))
    assert call_api(app, client, "POST", "/api/v1/applications", staff, body).status_code == 403


def test_another_ngos_token_can_neither_read_nor_change_anything(app, client):
    fund(100_000 * USD)
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    call = open_call()
    theirs = ngo_organisation(name="Freedom Path", registration_number="RC-B")
    their_application = started_application(call=call, organisation=theirs)
    intruder = bearer(applicant_of(ngo_organisation(name="Other", registration_number="RC-C")))
    a = their_application.id
    attempts = [
        ("GET", f"/api/v1/applications/{a}", None),
        ("PUT", f"/api/v1/applications/{a}/sections/summary", {"title": "Mine now"}),
        ("POST", f"/api/v1/applications/{a}/submission", {"declaration": True}),
        ("GET", f"/api/v1/grants/{grant.id}/reports", None),
        ("POST", f"/api/v1/reports/{report.id}/submission", {"results": "x"}),
    ]
    for method, url, body in attempts:
        headers = {**intruder, "If-Match": "*"}
        response = call_api(app, client, method, url, headers, body)
        assert response.status_code == 404, (method, url, response.status_code)
    # Nor start an application in their name.
    body = {"call_id": call.id, "organisation_id": theirs.id}
    assert call_api(app, client, "POST", "/api/v1/applications", intruder, body).status_code == 404
    db.session.refresh(their_application)
    assert their_application.title == "" and their_application.status == ApplicationStatus.DRAFT
    assert report.status == ReportStatus.DUE


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(app, client):
    call = open_call()
    organisation = ngo_organisation()
    headers = {**bearer(applicant_of(organisation)), "Idempotency-Key": str(uuid.uuid4())}
    body = {"call_id": call.id, "organisation_id": organisation.id}
    first = call_api(app, client, "POST", "/api/v1/applications", headers, body)
    retry = call_api(app, client, "POST", "/api/v1/applications", headers, body)
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    other = call_api(app, client, "POST", "/api/v1/applications", headers, {**body, "call_id": 0})
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert _applications_of(organisation.id) == 1
    # Without a key, a second start is a conflict, not a second draft.
    plain = {k: v for k, v in headers.items() if k != "Idempotency-Key"}
    assert call_api(app, client, "POST", "/api/v1/applications", plain, body).status_code == 409


def test_a_key_is_forgotten_after_a_day(app):
    user = user_with(Role.APPLICANT)
    first = idempotency.fingerprint("POST", "/api/v1/applications", b"{}")
    assert idempotency.claim(user_id=user.id, key="k", request_fingerprint=first) is None
    idempotency.record(user_id=user.id, key="k", status=201, body="{}")
    with pytest.raises(idempotency.KeyReused):
        idempotency.claim(user_id=user.id, key="k", request_fingerprint="other")
    db.session.execute(
        sa.update(IdempotencyKey).values(created_at=utcnow() - idempotency.KEEP_FOR * 2)
    )
    assert idempotency.claim(user_id=user.id, key="k", request_fingerprint="other") is None


def _applications_of(organisation_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Application)
            .where(Application.organisation_id == organisation_id)
        )
        or 0
    )


@pytest.mark.postgres
@pytest.mark.real_commits
def test_twenty_simultaneous_posts_with_one_key_create_one_application(app):
    with committed_rows_removed(app):

        def setup() -> tuple[int, int, str]:
            call = open_call()
            organisation = ngo_organisation()
            _token, secret = tokens.create_token(
                actor=applicant_of(organisation), name="race", scopes=READ_WRITE
            )
            return call.id, organisation.id, secret

        call_id, organisation_id, secret = committed(app, setup)
        headers = {
            "Authorization": f"Bearer {secret}",
            "Idempotency-Key": "one-key-for-twenty",
            "Content-Type": "application/json",
        }
        body = json.dumps({"call_id": call_id, "organisation_id": organisation_id})

        def post() -> tuple[int, Any]:
            response = app.test_client().post("/api/v1/applications", headers=headers, data=body)
            return response.status_code, response.get_json()

        results = race(app, [post] * 20, commit=False)
        assert [r for r in results if isinstance(r, Exception)] == []
        assert {status for status, _body in results} == {201}
        assert len({answer["id"] for _status, answer in results}) == 1

        def count() -> tuple[int, int]:
            keys = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(IdempotencyKey)
                .where(IdempotencyKey.key == "one-key-for-twenty")
            )
            return _applications_of(organisation_id), int(keys or 0)

        assert committed(app, count) == (1, 1)


def test_an_id_too_large_for_its_column_is_not_found(app, client):
    """Found by Schemathesis on PostgreSQL: such an id was a 500 (integer out of range)."""
    headers = bearer(user_with(Role.FUND_MANAGER))
    for url in ("/api/v1/applications/99999999999", "/api/v1/grants/99999999999/reports"):
        response = call_api(app, client, "GET", url, headers)
        assert response.status_code == 404, url
