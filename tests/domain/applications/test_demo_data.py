"""The demo data for the NGO side: what `flask demo` promises, loaded twice without doubling."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.applications import services as applications
from app.applications.models import (
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
    OrganisationProfile,
)
from app.calls.models import Call, CallStatus, WindowKind
from app.platform.extensions import db
from devtools.seed.calls_and_applications import load_demo_calls_and_applications
from devtools.seed.people import load_demo_users


def load_demo() -> None:
    """The demo users and this area's loader (other areas test their own)."""
    load_demo_users()
    load_demo_calls_and_applications()


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_data_has_two_calls_six_ngos_and_twenty_applications_across_states():
    load_demo()
    load_demo()  # idempotent
    calls = {c.window: c for c in db.session.execute(select(Call)).scalars()}
    assert calls[WindowKind.EMERGENCY].status == CallStatus.PUBLISHED
    assert calls[WindowKind.MEDIUM_TERM].status == CallStatus.CLOSED
    assert count(Call) == 2

    profiles = list(db.session.execute(select(OrganisationProfile)).scalars())
    assert len(profiles) == 6
    assert {p.status for p in profiles} == {
        DueDiligenceStatus.VERIFIED,
        DueDiligenceStatus.DOCUMENTS_SUBMITTED,
        DueDiligenceStatus.REJECTED,
    }
    assert len({p.organisation.country for p in profiles}) >= 4

    stored = list(db.session.execute(select(Application)).scalars())
    assert len(stored) == 20
    assert {a.status for a in stored} == set(ApplicationStatus)

    for login, name in (("ngo", "Safe Haven Initiative"), ("ngo2", "Freedom Path Association")):
        user = db.session.execute(
            select(User).where(User.email == f"{login}@demo.test")
        ).scalar_one()
        (organisation,) = applications.organisations_of(user)
        assert organisation.name == name
        assert applications.profile_of(organisation).status == DueDiligenceStatus.VERIFIED
    assert applications.flagged_organisation_ids()  # the demo shows a possible duplicate


def test_every_submitted_demo_application_is_complete_and_within_its_caps():
    load_demo()
    for application in db.session.execute(select(Application)).scalars():
        if application.status == ApplicationStatus.DRAFT:
            continue
        if application.status == ApplicationStatus.WITHDRAWN:
            continue
        problems = [p for c in applications.completeness(application) for p in c.problems]
        assert problems == [], (application.title, problems)
    assert count(Organisation) >= 6


def test_flask_demo_runs_this_loader():
    from devtools.seed import DEMO_LOADERS

    assert load_demo_calls_and_applications in DEMO_LOADERS
