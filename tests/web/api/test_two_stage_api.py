"""A two-stage call through the API (decision 0115): the submission endpoint refuses a full
proposal the fund did not invite, as the page does, and a new draft after the concept deadline;
once invited, the same request submits it."""

from __future__ import annotations

from datetime import timedelta

from app.applications.models import ApplicationStatus
from app.applications.services.concepts import invite_full_proposal
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.applications_support import (
    applicant_of,
    complete,
    fund_manager,
    ngo_organisation,
    storage,  # noqa: F401 - the fixture
)
from tests.two_stage_support import complete_anyway, sent_concept, two_stage_call
from tests.web.api.test_api_writes import bearer


def test_the_api_refuses_stage_two_without_an_invitation(client, storage):  # noqa: F811
    application = sent_concept(two_stage_call())
    complete_anyway(application, storage)
    owner = applicant_of(application.organisation)
    headers = bearer(owner)
    db.session.commit()
    url = f"/api/v1/applications/{application.id}/submission"
    refused = client.post(url, headers=headers, json={"declaration": True})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "has invited it, on its concept note" in refused.get_json()["detail"]
    db.session.refresh(application)
    assert application.status == ApplicationStatus.DRAFT

    invite_full_proposal(actor=fund_manager(), application=application)
    complete(application, owner, storage)
    db.session.commit()
    submitted = client.post(url, headers=headers, json={"declaration": True})
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "submitted"


def test_the_api_starts_no_draft_after_the_concept_deadline(client):
    now = utcnow()
    call = two_stage_call(
        opens_at=now - timedelta(days=10), concept_closes_at=now - timedelta(minutes=1)
    )
    organisation = ngo_organisation()
    headers = bearer(applicant_of(organisation))
    db.session.commit()
    refused = client.post(
        "/api/v1/applications",
        headers=headers,
        json={"call_id": call.id, "organisation_id": organisation.id},
    )
    assert refused.status_code == 422
    assert "too late to apply" in refused.get_json()["detail"]
