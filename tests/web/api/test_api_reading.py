"""The staff, donor and document routes of the API (issue 23's rest) and the tokens' area scopes:
each answers what its page shows to whom its page shows it, every answer checked against the
OpenAPI document; a token limited to some areas is refused the others."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from jsonschema import Draft202012Validator

from app.accounts.models import Role
from app.applications import services as applications
from app.audit.models import AuditEvent
from app.donations import services as donations
from app.ledger.models import Transfer
from app.platform.categories import DocumentKind
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.tokens import services as tokens
from app.tokens.models import AREA_SCOPES, ApiToken, TokenScope
from app.web.api import openapi_document
from tests.applications_support import (
    PDF,
    applicant_of,
    ngo_organisation,
    open_call,
    started_application,
)
from tests.donations_support import add_rate
from tests.factories import user_with
from tests.grants_support import USD, fund
from tests.reviews_support import cleared, in_review, link_to_organisation, submit

READ_WRITE = (TokenScope.READ, TokenScope.WRITE)


def get(app: Any, client: Any, url: str, headers: dict[str, str] | None = None) -> Any:
    """GET ``url`` and check the answer against the OpenAPI document's schema for its route."""
    response = client.get(url, headers=headers or {})
    rule, _args = app.url_map.bind("localhost").match(url.split("?")[0], return_rule=True)
    path = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule)
    described = openapi_document(app)["paths"][path]["get"]["responses"].get(
        str(response.status_code)
    )
    assert described is not None, f"{path} answered {response.status_code}, not documented"
    content = described.get("content", {}).get("application/json")
    if content is not None and response.status_code != 304:
        Draft202012Validator(content["schema"]).validate(response.get_json())
    return response


def bearer(user: Any, *scopes: TokenScope) -> dict[str, str]:
    _token, secret = tokens.create_token(actor=user, name="t", scopes=scopes or READ_WRITE)
    return {"Authorization": f"Bearer {secret}"}


def _donor_of(user: Any) -> Any:
    return donations.find_or_create_individual_donor(
        actor=user, name=user.full_name, email=user.email
    )


def _bank_receipt(donor: Any, reference: str, amount: int = 50_000, day: int = 2) -> Any:
    return donations.record_bank_receipt(
        actor=user_with(Role.FINANCE),
        value_date=date(2026, 11, day),
        amount=amount,
        currency="USD",
        bank_reference=reference,
        donor=donor,
    )


# --- area scopes ---------------------------------------------------------------------------


def test_a_token_limited_to_an_area_is_refused_the_others(app, client):
    organisation = ngo_organisation()
    member = applicant_of(organisation)
    headers = bearer(member, TokenScope.READ, TokenScope.APPLICATIONS)
    assert get(app, client, "/api/v1/applications", headers).status_code == 200
    refused = get(app, client, "/api/v1/grants", headers)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["type"] == "urn:trustfund:problem:scope-missing"
    assert "“grants”" in refused.get_json()["detail"]
    # /me belongs to no area: any token reads it.
    assert get(app, client, "/api/v1/me", headers).status_code == 200


def test_a_token_naming_no_area_gets_every_area(app):
    token, _secret = tokens.create_token(
        actor=user_with(Role.APPLICANT), name="t", scopes=[TokenScope.READ]
    )
    assert token.scope_set == {TokenScope.READ, *AREA_SCOPES}


def test_the_token_page_offers_the_areas_and_wants_one(client, sign_in):
    user = user_with(Role.APPLICANT)
    sign_in(user)
    page = client.get("/account/tokens/").get_data(as_text=True)
    for area in AREA_SCOPES:
        assert f'value="{area.value}"' in page
    refused = client.post(
        "/account/tokens/", data={"name": "none", "scopes": ["read"], "days": "30"}
    )
    assert refused.status_code == 422
    assert "Choose at least one area." in refused.get_data(as_text=True)
    made = client.post(
        "/account/tokens/",
        data={"name": "ledger", "scopes": ["read"], "areas": ["finance"], "days": "30"},
    )
    assert made.status_code == 200
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.scopes == "finance read"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "api_token.created")
    ).one()
    assert event.changes["scopes"] == ["finance", "read"]


def test_the_openapi_document_says_which_scopes_each_operation_needs(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/ledger/accounts"]["get"]["x-token-scopes"] == ["read", "finance"]
    assert paths["/api/v1/applications"]["post"]["x-token-scopes"] == ["write", "applications"]
    assert paths["/api/v1/me"]["get"]["x-token-scopes"] == ["read"]
    assert "x-token-scopes" not in paths["/api/v1/calls"]["get"]


# --- finance ---------------------------------------------------------------------------------


def test_finance_reads_bank_receipts_rates_and_the_ledger_paged_with_etags(app, client):
    fund(100_000 * USD)  # money in the ledger: transfers to read
    donor = _donor_of(user_with(Role.DONOR))
    _bank_receipt(donor, "FIN-1", day=2)
    _bank_receipt(donor, "FIN-2", amount=70_000, day=3)
    add_rate("EUR", date(2026, 11, 1), "1.08")
    headers = bearer(user_with(Role.FINANCE), TokenScope.READ)
    app.config["PAGE_SIZE"] = 1
    first = get(app, client, "/api/v1/bank-receipts", headers)
    assert first.status_code == 200
    body = first.get_json()
    assert [r["bank_reference"] for r in body["bank_receipts"]] == ["FIN-2"]
    assert body["bank_receipts"][0]["amount"] == {"amount_minor": "70000", "currency": "USD"}
    assert body["next_cursor"] == f"2026-11-03.{body['bank_receipts'][0]['id']}"
    second = get(app, client, f"/api/v1/bank-receipts?after={body['next_cursor']}", headers)
    assert [r["bank_reference"] for r in second.get_json()["bank_receipts"]] == ["FIN-1"]
    assert second.get_json()["next_cursor"] is None
    unchanged = client.get(
        "/api/v1/bank-receipts", headers={**headers, "If-None-Match": first.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and unchanged.data == b""
    # A forged cursor is the first page, never a 500.
    for forged in ("x", "2026-13-01.1", "2026-11-01.99999999999999999999", "2026-11-01"):
        assert (
            client.get(f"/api/v1/bank-receipts?after={forged}", headers=headers).status_code == 200
        )
    app.config["PAGE_SIZE"] = 25
    rates = get(app, client, "/api/v1/exchange-rates", headers).get_json()["exchange_rates"]
    assert rates[0]["currency"] == "EUR" and rates[0]["month"] == "2026-11"
    assert rates[0]["rate"] == "1.08" or rates[0]["rate"].startswith("1.08")
    transfers = get(app, client, "/api/v1/ledger/transfers", headers).get_json()["transfers"]
    count = db.session.execute(sa.select(sa.func.count()).select_from(Transfer)).scalar_one()
    assert len(transfers) == min(count, 25) and count >= 1
    assert all(t["amount"]["amount_minor"].isdigit() for t in transfers)
    assert transfers[0]["created_at"].endswith("+00:00")
    account_id = transfers[0]["debit_account"]["id"]
    one_account = get(app, client, f"/api/v1/ledger/transfers?account_id={account_id}", headers)
    assert all(
        account_id in (t["debit_account"]["id"], t["credit_account"]["id"])
        for t in one_account.get_json()["transfers"]
    )
    accounts = get(app, client, "/api/v1/ledger/accounts", headers).get_json()["accounts"]
    assert accounts and all(a["posted"]["amount_minor"].lstrip("-").isdigit() for a in accounts)
    donors = get(app, client, "/api/v1/ledger/accounts?owner_type=donor", headers).get_json()
    assert {a["owner_type"] for a in donors["accounts"]} <= {"donor"}
    queue = get(app, client, "/api/v1/disbursements", headers).get_json()
    assert set(queue["queue"]) == {"requested", "approved", "sent", "failed"}
    assert get(app, client, "/api/v1/disbursements/paid", headers).status_code == 200


def test_staff_lists_answer_only_whom_their_pages_answer(app, client):
    donor_user = user_with(Role.DONOR)
    _bank_receipt(_donor_of(donor_user), "STAFF-1")
    for role in (Role.APPLICANT, Role.DONOR, Role.REVIEWER, Role.BOARD, Role.ADMIN):
        headers = bearer(user_with(role), TokenScope.READ)
        for path in (
            "/api/v1/bank-receipts",
            "/api/v1/contributions",
            "/api/v1/pledges",
            "/api/v1/ledger/accounts",
            "/api/v1/ledger/transfers",
            "/api/v1/disbursements",
            "/api/v1/exchange-rates",
        ):
            assert client.get(path, headers=headers).status_code == 403, (role, path)
    # The fund manager sees contributions but keeps no exchange rates, as on the pages.
    manager = bearer(user_with(Role.FUND_MANAGER), TokenScope.READ)
    assert get(app, client, "/api/v1/pledges", manager).status_code == 200
    assert get(app, client, "/api/v1/contributions?kind=pledge", manager).get_json() == {
        "gifts": [],
        "next_cursor": None,
    }
    assert get(app, client, "/api/v1/contributions?status=junk", manager).status_code == 200
    assert client.get("/api/v1/exchange-rates", headers=manager).status_code == 403


# --- a donor's own ---------------------------------------------------------------------------


def test_a_donor_reads_their_own_receipts_and_pledges_never_anothers(app, client):
    me, other = user_with(Role.DONOR), user_with(Role.DONOR)
    _bank, mine = _bank_receipt(_donor_of(me), "DONOR-1")
    _bank, theirs = _bank_receipt(_donor_of(other), "DONOR-2")
    headers = bearer(me, TokenScope.READ)
    listed = get(app, client, "/api/v1/my/receipts", headers).get_json()["receipts"]
    assert [r["id"] for r in listed] == [mine.id]
    assert listed[0]["reference"] == mine.reference
    assert listed[0]["amount"] == {"amount_minor": "50000", "currency": "USD"}
    assert listed[0]["url"].endswith(f"/receipts/{mine.id}")
    assert get(app, client, f"/api/v1/receipts/{mine.id}", headers).status_code == 200
    page = client.get(f"/api/v1/receipts/{mine.id}/document", headers=headers)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert mine.reference in page.get_data(as_text=True)
    assert "attachment" in page.headers["Content-Disposition"]
    for path in (f"/api/v1/receipts/{theirs.id}", f"/api/v1/receipts/{theirs.id}/document"):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert get(app, client, "/api/v1/my/gifts", headers).get_json()["gifts"] == []
    assert get(app, client, "/api/v1/my/pledges", headers).get_json()["pledges"] == []
    # Finance, who see every contribution, read any receipt.
    finance = bearer(user_with(Role.FINANCE), TokenScope.READ)
    assert client.get(f"/api/v1/receipts/{theirs.id}", headers=finance).status_code == 200


# --- reviews ---------------------------------------------------------------------------------


def test_a_reviewer_reads_their_own_review_and_nobody_elses_name(app, client):
    application = in_review(get_storage())
    first, second = cleared(application), cleared(application)
    submit(first, (4, 3), comments="Solid plan.")
    submit(second, (2, 2))
    headers = bearer(first.reviewer, TokenScope.READ)
    mine = get(app, client, "/api/v1/reviews/mine", headers).get_json()["assignments"]
    assert [a["id"] for a in mine] == [first.id]
    assert mine[0]["review"]["status"] == "submitted"
    assert mine[0]["review"]["comments"] == "Solid plan."
    text = client.get("/api/v1/reviews/mine", headers=headers).get_data(as_text=True)
    assert second.reviewer.full_name not in text
    # The application's reviews, with names, are the fund's staff's page, not a reviewer's.
    refused = client.get(f"/api/v1/applications/{application.id}/reviews", headers=headers)
    assert refused.status_code == 403
    staff = bearer(user_with(Role.FUND_MANAGER), TokenScope.READ)
    seen = get(app, client, f"/api/v1/applications/{application.id}/reviews", staff).get_json()
    assert {r["reviewer"]["full_name"] for r in seen["reviews"]} == {
        first.reviewer.full_name,
        second.reviewer.full_name,
    }
    assert len(seen["assignments"]) == 2
    assert all(r["weighted_score"] is None or float(r["weighted_score"]) for r in seen["reviews"])


def test_staff_who_belong_to_the_applicant_may_not_read_its_reviews(app, client):
    application = in_review(get_storage())
    submit(cleared(application), (4, 3))
    insider = user_with(Role.FUND_MANAGER)
    link_to_organisation(insider, application)
    refused = client.get(
        f"/api/v1/applications/{application.id}/reviews", headers=bearer(insider, TokenScope.READ)
    )
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


# --- documents -------------------------------------------------------------------------------


def test_an_ngo_lists_downloads_and_uploads_its_documents_as_on_the_page(app, client):
    organisation = ngo_organisation(name="Mine")
    member = applicant_of(organisation)
    draft = started_application(call=open_call(), organisation=organisation)
    headers = bearer(member)
    uploaded = client.post(
        f"/api/v1/applications/{draft.id}/documents",
        headers={**headers, "Idempotency-Key": "upload-1"},
        data={"kind": "proposal", "file": (_pdf(), "proposal.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    document = uploaded.get_json()
    assert document["filename"] == "proposal.pdf" and document["kind"] == "proposal"
    assert document["size_bytes"] == len(PDF)
    again = client.post(
        f"/api/v1/applications/{draft.id}/documents",
        headers={**headers, "Idempotency-Key": "upload-1"},
        data={"kind": "proposal", "file": (_pdf(), "proposal.pdf")},
        content_type="multipart/form-data",
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == document["id"]
    listed = get(app, client, f"/api/v1/applications/{draft.id}/documents", headers)
    assert [d["id"] for d in listed.get_json()["documents"]] == [document["id"]]
    downloaded = client.get(document["download"], headers=headers)
    assert downloaded.status_code == 200 and downloaded.data == PDF
    assert "attachment" in downloaded.headers["Content-Disposition"]
    assert db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "file.downloaded")
    ).one()
    # The upload's checks are the page's: a file that is not what it says is refused.
    refused = client.post(
        f"/api/v1/applications/{draft.id}/documents",
        headers=headers,
        data={"kind": "proposal", "file": (_bytes(b"MZ\x90\x00 not a pdf"), "virus.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    wrong_kind = client.post(
        f"/api/v1/applications/{draft.id}/documents",
        headers=headers,
        data={"kind": "registration_certificate", "file": (_pdf(), "cert.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong_kind.status_code == 422
    # Staff who see every application read them, and may not upload.
    staff = bearer(user_with(Role.FUND_MANAGER))
    assert get(app, client, f"/api/v1/applications/{draft.id}/documents", staff).status_code == 200
    assert client.get(document["download"], headers=staff).status_code == 200
    assert (
        client.post(
            f"/api/v1/applications/{draft.id}/documents",
            headers=staff,
            data={"kind": "proposal", "file": (_pdf(), "p.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )


def test_an_ngo_token_cannot_read_or_add_to_another_ngos_documents(app, client):
    other = ngo_organisation(name="Other")
    theirs = started_application(call=open_call(), organisation=other)
    document = applications.upload_document(
        actor=applicant_of(other),
        organisation=other,
        application=theirs,
        kind=DocumentKind.PROPOSAL,
        filename="theirs.pdf",
        data=PDF,
        storage=get_storage(),
    )
    headers = bearer(applicant_of(ngo_organisation(name="Mine")))
    for path in (f"/api/v1/applications/{theirs.id}/documents", f"/api/v1/documents/{document.id}"):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    added = client.post(
        f"/api/v1/applications/{theirs.id}/documents",
        headers=headers,
        data={"kind": "proposal", "file": (_pdf(), "p.pdf")},
        content_type="multipart/form-data",
    )
    assert added.status_code == 404
    assert len(theirs.documents) == 1


def _bytes(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _pdf() -> Any:
    return _bytes(PDF)


# --- IATI ------------------------------------------------------------------------------------


def test_the_iati_files_are_listed_with_their_addresses(app, client):
    body = get(app, client, "/api/v1/iati").get_json()
    assert [f["name"] for f in body["files"]] == ["iati-activities", "iati-organisation"]
    assert body["files"][0]["url"].endswith("/open-data/iati-activities.xml")
    assert body["registry_page"].endswith("/open-data/iati")
