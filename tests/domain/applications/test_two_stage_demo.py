"""The demo's two-stage call (decision 0115): ngo@demo.test's concept note waits for the fund
manager's answer, ngo2@demo.test is invited; loaded twice without doubling."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.applications.models import Application, ConceptStatus
from app.applications.services.concepts import invite_full_proposal
from app.calls.models import Call
from app.platform.extensions import db
from devtools.seed import DEMO_LOADERS
from devtools.seed.calls_and_applications import load_demo_calls_and_applications
from devtools.seed.people import load_demo_users
from devtools.seed.two_stage import TWO_STAGE_CALL, load_demo_two_stage_call


def test_the_demo_shows_a_two_stage_call_with_a_concept_note_to_answer():
    assert load_demo_two_stage_call in DEMO_LOADERS  # so `make run` shows it
    load_demo_users()
    load_demo_calls_and_applications()
    assert load_demo_two_stage_call() == 2
    assert load_demo_two_stage_call() == 2  # idempotent
    call = db.session.execute(select(Call).where(Call.reference == TWO_STAGE_CALL)).scalar_one()
    assert call.is_two_stage and call.accepts_new_applications_at(call.opens_at)
    by_org = {
        a.organisation.name: a
        for a in db.session.execute(
            select(Application).where(Application.call_id == call.id)
        ).scalars()
    }
    waiting = by_org["Safe Haven Initiative"]
    assert waiting.concept_note.status == ConceptStatus.SUBMITTED and waiting.awaits_invitation
    assert by_org["Freedom Path Association"].concept_note.status == ConceptStatus.INVITED
    manager = db.session.execute(
        select(User).where(User.email == "fund_manager@demo.test")
    ).scalar_one()
    invite_full_proposal(actor=manager, application=waiting)  # what the demo invites one to do
    assert waiting.is_editable
