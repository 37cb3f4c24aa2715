"""Where a first-time NGO stands on the way to its first application, and what comes next.

register the organisation → upload its documents → the fund verifies it → apply to an open call
→ submit. Shown on every page (app/templates/base.html) until one of its organisations has
submitted an application; computed here once, from the records, so every page agrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.accounts.permissions import Permission, has_permission
from app.accounts.services.organisations import organisation_ids_query
from app.applications.models import (
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
    OrganisationProfile,
)
from app.applications.services.queries import profile_of
from app.platform.extensions import db


class FirstStep(StrEnum):
    REGISTER = "register"
    DOCUMENTS = "documents"
    VERIFICATION = "verification"
    APPLY = "apply"
    SUBMIT = "submit"


# In the order the NGO takes them.
FIRST_STEPS = tuple(FirstStep)


@dataclass(frozen=True)
class FirstSteps:
    """The step the NGO is at, and the records its link needs."""

    step: FirstStep
    organisation_id: int | None = None
    application_id: int | None = None
    # The fund turned the file down: correct it and ask again.
    rejected: bool = False

    @property
    def done(self) -> tuple[FirstStep, ...]:
        return FIRST_STEPS[: FIRST_STEPS.index(self.step)]


def first_steps(user: Any) -> FirstSteps | None:
    """The next step of ``user``'s organisation, or None once it has submitted an application
    (or for anyone who does not apply for grants)."""
    if not isinstance(user, User) or not has_permission(user, Permission.APPLY_FOR_GRANT):
        return None
    # Asked in SQL of the user's NGOs (those with a due-diligence file), none loaded but the
    # first by name: the banner costs the same however many organisations one belongs to.
    ngos = sa.select(OrganisationProfile.organisation_id).where(
        OrganisationProfile.organisation_id.in_(organisation_ids_query(user))
    )
    organisation = db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.id.in_(ngos))
        .order_by(Organisation.name)
        .limit(1)
    )
    if organisation is None:
        return FirstSteps(FirstStep.REGISTER)
    ever_submitted = db.session.scalar(
        sa.select(
            sa.exists().where(
                Application.organisation_id.in_(ngos), Application.submitted_at.is_not(None)
            )
        )
    )
    if ever_submitted:
        return None
    profile = profile_of(organisation)
    status = profile.status if profile is not None else DueDiligenceStatus.REGISTERED
    if status in (DueDiligenceStatus.REGISTERED, DueDiligenceStatus.REJECTED):
        return FirstSteps(
            FirstStep.DOCUMENTS,
            organisation_id=organisation.id,
            rejected=status == DueDiligenceStatus.REJECTED,
        )
    if status == DueDiligenceStatus.DOCUMENTS_SUBMITTED:
        return FirstSteps(FirstStep.VERIFICATION, organisation_id=organisation.id)
    draft = db.session.scalar(
        sa.select(Application.id)
        .where(
            Application.organisation_id == organisation.id,
            Application.status == ApplicationStatus.DRAFT,
        )
        .order_by(Application.id.desc())
        .limit(1)
    )
    if draft is not None:
        return FirstSteps(FirstStep.SUBMIT, organisation_id=organisation.id, application_id=draft)
    return FirstSteps(FirstStep.APPLY, organisation_id=organisation.id)
