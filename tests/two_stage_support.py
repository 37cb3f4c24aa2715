"""Test data for two-stage calls (decision 0115): a call with a concept deadline, a concept note
written and sent, and a full proposal completed outside the rules (to prove the rules refuse it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.accounts.models import Organisation, User
from app.applications import services as applications
from app.applications.models import Application
from app.applications.services.concepts import (
    ConceptNoteData,
    save_concept_note,
    submit_concept_note,
)
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import LocalStorage
from tests.applications_support import applicant_of, complete, ngo_organisation, open_call


def two_stage_call(manager: User | None = None, **overrides: Any) -> Call:
    """Published and open: concept notes due in 5 days, full proposals in 20."""
    now = utcnow()
    values: dict[str, Any] = {
        "reference": "SGP1-2STAGE",
        "concept_closes_at": now + timedelta(days=5),
        "closes_at": now + timedelta(days=20),
    }
    values.update(overrides)
    return open_call(manager, **values)


def a_note(**overrides: Any) -> ConceptNoteData:
    values: dict[str, Any] = {
        "title": "Safe shelter in Lagos",
        "summary": "Women leaving forced labour need a safe place and legal aid.",
        "countries": ["NG"],
        "forms_of_exploitation": ["forced_labour"],
        "indicative_amount": 15_000_00,
    }
    values.update(overrides)
    return ConceptNoteData(**values)


def started(call: Call, organisation: Organisation | None = None) -> Application:
    organisation = organisation or ngo_organisation()
    return applications.start_application(
        actor=applicant_of(organisation), call=call, organisation=organisation
    )


def sent_concept(call: Call, organisation: Organisation | None = None) -> Application:
    """An application whose concept note is sent to the fund."""
    application = started(call, organisation)
    applicant = applicant_of(application.organisation)
    save_concept_note(actor=applicant, application=application, data=a_note())
    submit_concept_note(actor=applicant, application=application)
    return application


def complete_anyway(application: Application, storage: LocalStorage) -> Application:
    """Every section filled although the fund never invited it (the sections are locked to the
    organisation until it does): the rule on submission must still refuse it."""
    call = application.call
    concept_deadline = call.concept_closes_at
    call.concept_closes_at = None  # for the length of the filling only
    complete(application, applicant_of(application.organisation), storage)
    call.concept_closes_at = concept_deadline
    db.session.flush()
    return application
