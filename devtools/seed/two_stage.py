"""Demo data for two-stage calls (decision 0115): one open call taking concept notes, where the
demo NGO ngo@demo.test (Safe Haven Initiative) has sent a concept note the fund manager can
answer, and ngo2@demo.test (Freedom Path Association) has been invited to a full proposal.

Loaded by ``flask demo`` after the calls and applications; safe to run again (the call is looked
up by its reference).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.applications.models import Application, ApplicationStatus, ConceptNote, ConceptStatus
from app.applications.services.budget import psc_rate
from app.audit.services import record_event
from app.calls.models import Call, CallStatus, RubricCriterion, WindowKind
from app.platform.db import utcnow
from app.platform.extensions import db
from devtools.seed.calls_and_applications import RUBRIC

TWO_STAGE_CALL = "SGP2-2027-2S"

_NOTES = (
    (
        "Safe Haven Initiative",
        ConceptStatus.SUBMITTED,
        "Legal aid for survivors of forced labour in fisheries",
        "Men and boys trafficked onto fishing boats return with no papers and unpaid wages. "
        "We will give them legal advice, help them claim their wages and testify safely, and "
        "train two local paralegals who are survivors themselves.",
        ["forced_labour"],
        45_000_00,
    ),
    (
        "Freedom Path Association",
        ConceptStatus.INVITED,
        "Reintegration of girls after forced marriage",
        "Girls who escape forced marriage cannot go home. We will run a small transit home, "
        "family mediation where it is safe, and school or training places for each girl.",
        ["forced_marriage", "sexual_exploitation"],
        55_000_00,
    ),
)


def _call(manager: User | None) -> Call:
    found = db.session.execute(
        select(Call).where(Call.reference == TWO_STAGE_CALL)
    ).scalar_one_or_none()
    if found is not None:
        return found
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    call = Call(
        reference=TWO_STAGE_CALL,
        window=WindowKind.MEDIUM_TERM,
        title={
            "en": "Medium-term grants 2027 (two stages): survivors' access to justice",
            "fr": "Subventions à moyen terme 2027 (deux étapes) : accès des survivants à la "
            "justice",
            "es": "Subvenciones a medio plazo 2027 (dos etapas): acceso de las personas "
            "sobrevivientes a la justicia",
        },
        description={
            "en": "First send a concept note of at most 500 words. The fund invites the most "
            "promising to send a full proposal of up to USD 60,000 over two years.",
            "fr": "Envoyez d'abord une note conceptuelle de 500 mots au plus. Le fonds invite "
            "les plus prometteuses à envoyer une proposition complète, jusqu'à 60 000 USD sur "
            "deux ans.",
            "es": "Envíe primero una nota conceptual de 500 palabras como máximo. El fondo "
            "invita a las más prometedoras a enviar una propuesta completa de hasta 60 000 USD "
            "en dos años.",
        },
        status=CallStatus.PUBLISHED,
        opens_at=now - timedelta(days=10),
        concept_closes_at=now + timedelta(days=12),
        closes_at=now + timedelta(days=60),
        timezone="Europe/Vienna",
        currency="USD",
        envelope=400_000_00,
        max_amount=60_000_00,
        max_duration_months=24,
        eligible_countries=[],
        situations=["mixed_migration", "armed_conflict"],
        themes=["women_and_girls", "men_and_boys", "survivor_leadership"],
        forms_of_exploitation=["forced_labour", "forced_marriage", "sexual_exploitation"],
        required_documents=dict(current_app.config["CALL_REQUIRED_DOCUMENTS"]),
        languages=["en", "fr", "es"],
        created_by_id=manager.id if manager else None,
        published_at=now - timedelta(days=10),
    )
    for position, (name, weight, guidance) in enumerate(RUBRIC):
        call.criteria.append(
            RubricCriterion(
                position=position, name=name, weight=Decimal(weight), description=guidance
            )
        )
    db.session.add(call)
    db.session.flush()
    record_event(
        actor=None, action="demo.call_created", subject=call, summary=f"demo call {TWO_STAGE_CALL}"
    )
    return call


def load_demo_two_stage_call() -> int:
    """Create what is missing; returns how many concept notes the call has."""
    manager = db.session.execute(
        select(User).where(User.email == "fund_manager@demo.test")
    ).scalar_one_or_none()
    call = _call(manager)
    now = utcnow()
    for name, status, title, summary, forms, amount in _NOTES:
        organisation = db.session.execute(
            select(Organisation).where(Organisation.name == name)
        ).scalar_one_or_none()
        if organisation is None:
            continue
        exists = db.session.execute(
            select(Application.id).where(
                Application.call_id == call.id, Application.organisation_id == organisation.id
            )
        ).scalar_one_or_none()
        if exists is not None:
            continue
        owner_id = organisation.memberships[0].user_id if organisation.memberships else None
        application = Application(
            call=call,
            organisation=organisation,
            status=ApplicationStatus.DRAFT,
            currency=call.currency,
            psc_rate=psc_rate(),
            created_by_id=owner_id,
            updated_by_id=owner_id,
        )
        application.concept_note = ConceptNote(
            status=status,
            title=title,
            summary=summary,
            countries=[organisation.country] if organisation.country else [],
            forms_of_exploitation=forms,
            indicative_amount=amount,
            submitted_at=now - timedelta(days=2),
        )
        if status == ConceptStatus.INVITED:
            application.concept_note.decided_at = now - timedelta(days=1)
            application.concept_note.decided_by_id = manager.id if manager else None
            application.title = title
            application.summary = summary
            application.countries = list(application.concept_note.countries)
            application.forms_of_exploitation = list(forms)
        db.session.add(application)
        db.session.flush()
        record_event(
            actor=None,
            action="demo.application_created",
            subject=application,
            summary=f"demo two-stage application, concept note {status}",
        )
    db.session.flush()
    return len(
        db.session.execute(
            select(ConceptNote.application_id)
            .join(Application)
            .where(Application.call_id == call.id)
        ).all()
    )
