"""An NGO that changes an id in an address gets "not found" for another organisation's grant,
report, attachment or amendment, and nothing of theirs changes; nor can it start an application
in another organisation's name.

Reading by id (organisations, documents, applications, grants, reports) and the application and
organisation forms are already pinned where those pages are tested:
tests/web/organisations/test_organisation_pages.py::test_another_ngo_guessing_ids_gets_not_found,
tests/web/applications/test_application_pages.py::test_an_ngo_guessing_another_ngos_ids_gets_not_found,
tests/web/grants/test_grant_pages.py::test_other_ngos_get_not_found_for_every_grant_page.
Here: the writes those leave out.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.applications.models import Application
from app.grants import services as grants
from app.grants.models import AmendmentKind, GrantStatus, ReportKind, ReportStatus
from app.grants.services import reports as grant_reports
from app.grants.services.amendments import request_amendment
from app.platform.extensions import db
from app.platform.storage import get_storage
from tests.applications_support import PDF, applicant_of, ngo_organisation, open_call
from tests.grants_support import (
    USD,
    active_grant,
    approved_application,
    award,
    fund,
    manager,
    report_of,
    signatory,
)


@pytest.fixture
def funded():
    fund(200_000 * USD)


def test_another_ngo_cannot_sign_a_grant_agreement_not_theirs(client, sign_in, funded):
    grant = award(approved_application())
    grants.send_agreement(actor=manager(), grant=grant)
    intruder = signatory(active_grant())
    sign_in(intruder)
    assert client.get(f"/grants/{grant.id}/accept").status_code == 404
    response = client.post(
        f"/grants/{grant.id}/accept",
        data={
            "signatory_name": intruder.full_name,
            "signatory_title": "Director",
            "confirmed": "y",
            "digest": grant.agreement_sha256,
        },
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert grant.status == GrantStatus.AGREEMENT_SENT
    assert grant.signatory_name is None


def test_another_ngo_cannot_write_to_a_grant_not_theirs(client, sign_in, funded):
    storage = get_storage()
    grant = active_grant()
    owner = signatory(grant)
    report = report_of(grant, ReportKind.PROGRESS)
    attachment = grant_reports.attach_report_file(
        actor=owner, report=report, filename="receipts.pdf", data=PDF, storage=storage
    )
    amendment = request_amendment(
        actor=owner,
        grant=grant,
        kind=AmendmentKind.NO_COST_EXTENSION,
        reason="More time",
        new_end_date=grant.end_date.replace(year=grant.end_date.year + 1),
    )
    line = grant.current_budget[0]
    sign_in(signatory(active_grant()))
    attempts = {
        f"/grants/reports/{report.id}/edit": {"results": "Forged.", f"line-{line.id}": "1"},
        f"/grants/reports/{report.id}/attachments": {"file": (io.BytesIO(PDF), "forged.pdf")},
        f"/grants/reports/{report.id}/attachments/{attachment.id}/remove": {},
        f"/grants/{grant.id}/amendments/new": {
            "kind": "no_cost_extension",
            "reason": "Forged",
            "new_end_date": "2040-01-01",
        },
    }
    for url, data in attempts.items():
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 404, url
    assert client.get(f"/grants/amendments/{amendment.id}").status_code == 404
    db.session.expire_all()
    assert report.status == ReportStatus.DUE
    assert report.results in (None, "")
    assert [a.id for a in report.attachments] == [attachment.id]
    assert storage.path_of(attachment.storage_key).read_bytes() == PDF
    assert [a.id for a in grant.amendments] == [amendment.id]


def test_an_ngo_cannot_start_an_application_in_another_organisations_name(client, sign_in):
    call = open_call()
    victim = ngo_organisation(name="Victim NGO", registration_number="V-1")
    intruder = ngo_organisation(name="Intruder NGO", registration_number="I-1")
    sign_in(applicant_of(intruder))
    response = client.post(f"/applications/start/{call.id}", data={"organisation_id": victim.id})
    assert response.status_code == 404
    started = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.organisation_id == victim.id)
    )
    assert started == 0
