"""An NGO's file in the browser: registering, uploading documents (and the refusals), private
downloads, colleagues, and the fund's verification."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.accounts.models import Organisation, Role
from app.applications import services as applications
from app.applications.models import Document, DueDiligenceStatus, RiskRating
from app.platform.extensions import db
from app.platform.storage import get_storage
from tests.applications_support import PDF, applicant_of, fund_manager, ngo_organisation
from tests.factories import user_with
from tests.settings_support import change_settings


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    return re.sub(r"\s+", " ", body)


def upload(client, organisation, data: bytes, name: str, kind: str = "registration_certificate"):
    return client.post(
        f"/organisations/{organisation.id}/documents",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def documents_of(organisation) -> list[Document]:
    return applications.organisation_documents(organisation)


def test_an_applicant_registers_their_organisation(client, sign_in):
    applicant = user_with(Role.APPLICANT)
    sign_in(applicant)
    assert client.get("/organisations/mine").location.endswith("/organisations/register")
    # The form says what the UN Partner Portal ID is and where to find it (fresh eyes).
    form = text(client.get("/organisations/register"))
    assert "The identifier the UN Partner Portal (www.unpartnerportal.org) gave" in form
    response = client.post(
        "/organisations/register",
        data={
            "name": "Esperanza Libre",
            "country": "MX",
            "contact_email": "hola@esperanza.example",
            "countries_of_operation": ["MX", "GT"],
            "registration_number": "CLUNI 123",
            "registration_date": "2012-05-04",
            "assistance_since_year": "2013",
            "survivor_led": "y",
            "bank_account_holder": "Esperanza Libre A.C.",
        },
    )
    organisation = db.session.execute(select(Organisation)).scalar_one()
    assert response.location.endswith(f"/organisations/{organisation.id}")
    profile = applications.profile_of(organisation)
    assert profile.status == DueDiligenceStatus.REGISTERED
    assert profile.survivor_led and profile.countries_of_operation == ["MX", "GT"]
    page = text(client.get(f"/organisations/{organisation.id}"))
    assert "Send the file for verification" in page
    assert "Give your UN Partner Portal ID." in page
    assert "Upload the document: Registration certificate." in page


def test_a_good_pdf_is_stored_privately_and_served_only_as_an_attachment(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    page = text(upload(client, organisation, PDF, "Certificat d'enregistrement.pdf"))
    assert "Certificat d_enregistrement.pdf uploaded as Registration certificate." in page
    (document,) = documents_of(organisation)
    stored = get_storage().path_of(document.storage_key)
    assert stored.read_bytes() == PDF
    assert "enregistrement" not in str(stored)  # random name on disk
    response = client.get(f"/applications/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_a_disguised_file_is_refused_with_a_clear_message(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    page = text(upload(client, organisation, b"MZ\x90\x00evil program", "certificate.pdf"))
    assert (
        "certificate.pdf was not uploaded: This file is not one we accept (PDF, Word (.docx), "
        "Excel (.xlsx), PNG, JPEG): its content is of another type." in page
    )
    assert documents_of(organisation) == []


def test_a_file_over_the_limit_is_refused_with_the_limit_named(app, client, sign_in, monkeypatch):
    change_settings(monkeypatch, app, "uploads", max_bytes=1024 * 1024)
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    page = text(upload(client, organisation, PDF + b"0" * (1024 * 1024), "scan.pdf"))
    assert "scan.pdf was not uploaded: The file is too large: the limit is 1 MB." in page
    assert documents_of(organisation) == []


def test_a_request_larger_than_the_server_accepts_gets_a_friendly_page(
    app, client, sign_in, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    response = client.post(
        f"/organisations/{organisation.id}/documents",
        data={"kind": "registration_certificate", "file": (io.BytesIO(PDF + b"0" * 8192), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The file is larger than we accept." in text(response)


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "img src_x onerror_alert(1).pdf"),
        ("facture\u202efdp.exe", "facturefdp.pdf"),
    ],
)
def test_hostile_file_names_are_neutralised_before_anyone_sees_them(
    client, sign_in, hostile, shown
):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    upload(client, organisation, PDF, hostile)
    (document,) = documents_of(organisation)
    assert document.filename == shown
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "<img src=x" not in page
    response = client.get(f"/applications/documents/{document.id}")
    assert "/" not in response.headers["Content-Disposition"].split("filename", 1)[1]


def test_another_ngo_guessing_ids_gets_not_found(client, sign_in):
    victim = ngo_organisation(name="Victim NGO", status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(victim))
    upload(client, victim, PDF, "certificate.pdf")
    (document,) = documents_of(victim)
    client.post("/logout")
    intruder = ngo_organisation(name="Intruder NGO", registration_number="X-9")
    sign_in(applicant_of(intruder))
    for url in (
        f"/organisations/{victim.id}",
        f"/organisations/{victim.id}/edit",
        f"/applications/documents/{document.id}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/organisations/{victim.id}/documents",
        f"/organisations/{victim.id}/documents/{document.id}/remove",
        f"/organisations/{victim.id}/submit",
        f"/organisations/{victim.id}/colleagues",
    ):
        assert client.post(url).status_code == 404, url
    assert documents_of(victim) == [document]


def test_the_fund_can_read_an_ngos_documents(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.REGISTERED)
    sign_in(applicant_of(organisation))
    upload(client, organisation, PDF, "certificate.pdf")
    (document,) = documents_of(organisation)
    client.post("/logout")
    sign_in(fund_manager())
    assert client.get(f"/applications/documents/{document.id}").data == PDF


def test_the_fund_verifies_and_the_ngo_sees_it(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.DOCUMENTS_SUBMITTED)
    sign_in(fund_manager())
    client.post(f"/organisations/{organisation.id}/verify", data={"risk_rating": "high"})
    profile = applications.profile_of(organisation)
    db.session.refresh(profile)
    assert (profile.status, profile.risk_rating) == (DueDiligenceStatus.VERIFIED, RiskRating.HIGH)


def test_a_rejection_reason_is_shown_to_the_ngo(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.DOCUMENTS_SUBMITTED)
    sign_in(fund_manager())
    client.post(
        f"/organisations/{organisation.id}/reject",
        data={"reason": "The bank account is in a private person's name."},
    )
    client.post("/logout")
    sign_in(applicant_of(organisation))
    page = text(client.get(f"/organisations/{organisation.id}"))
    assert "The fund could not verify this organisation" in page
    assert "The bank account is in a private person's name." in page


def test_applicants_cannot_verify(client, sign_in):
    organisation = ngo_organisation(status=DueDiligenceStatus.DOCUMENTS_SUBMITTED)
    sign_in(applicant_of(organisation))
    response = client.post(f"/organisations/{organisation.id}/verify", data={"risk_rating": "low"})
    assert response.status_code == 403


def test_possible_duplicates_are_flagged_to_the_fund(client, sign_in):
    first = ngo_organisation(
        name="Hope", bank_account_holder="Jean Kouassi", registration_number="A1"
    )
    ngo_organisation(name="Espoir", bank_account_holder="JEAN KOUASSI", registration_number="B2")
    ngo_organisation(name="Other", registration_number="C3")
    sign_in(fund_manager())
    listing = text(client.get("/organisations/?flagged=1"))
    assert "Hope" in listing and "Espoir" in listing and "Other" not in listing
    page = text(client.get(f"/organisations/{first.id}"))
    assert "Possible duplicate" in page
    assert re.search(r"Espoir\s*:\s*same bank account holder", page)


def test_an_owner_adds_a_colleague_who_gets_a_link_to_choose_a_password(client, sign_in, mailbox):
    organisation = ngo_organisation()
    sign_in(applicant_of(organisation))
    client.post(
        f"/organisations/{organisation.id}/colleagues",
        data={"full_name": "Amina Diallo", "email": "amina@example.org"},
    )
    message = mailbox.last("amina@example.org")
    assert organisation.name in message["Subject"]
    assert mailbox.link("amina@example.org").startswith("/reset/")
    assert "Amina Diallo" in text(client.get(f"/organisations/{organisation.id}"))
