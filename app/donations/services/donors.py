"""Donor records: people giving online, organisations that give, and donors finance records."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.accounts.models import Organisation, OrganisationKind, User
from app.accounts.permissions import Permission, has_permission
from app.audit.services import record_event
from app.donations.models import Donor, DonorKind
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.platform.extensions import db

# Organisations that give (an NGO applies for grants; it does not pledge through this form).
DONOR_KIND_OF_ORGANISATION = {
    OrganisationKind.MEMBER_STATE: DonorKind.MEMBER_STATE,
    OrganisationKind.GOVERNMENT: DonorKind.GOVERNMENT,
    OrganisationKind.INTERGOVERNMENTAL: DonorKind.INTERGOVERNMENTAL,
    OrganisationKind.COMPANY: DonorKind.COMPANY,
    OrganisationKind.FOUNDATION: DonorKind.FOUNDATION,
    OrganisationKind.INDIVIDUAL: DonorKind.INDIVIDUAL,
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _actor_id(actor: Any) -> int | None:
    return actor.id if isinstance(actor, User) else None


def giver_name_and_address(name: str, email: str) -> tuple[str, str]:
    """The name and address a person typed to give, cleaned; refused when either is missing."""
    name, email = name.strip(), normalise_email(email)
    if not name or not email:
        raise ValidationFailed(N_("Please give your name and e-mail address."))
    return name, email


def find_or_create_individual_donor(*, actor: Any, name: str, email: str) -> Donor:
    """The donor record of a person giving online: their own when signed in, else by e-mail."""
    name, email = giver_name_and_address(name, email)
    query = sa.select(Donor).where(
        Donor.organisation_id.is_(None), Donor.kind == DonorKind.INDIVIDUAL
    )
    if isinstance(actor, User):
        query = query.where(Donor.user_id == actor.id)
    else:
        query = query.where(Donor.user_id.is_(None), Donor.email == email)
    donor = db.session.execute(query.order_by(Donor.id).limit(1)).scalar_one_or_none()
    if donor is not None:
        if donor.email != email:
            donor.email = email  # receipts go where the donor last asked
        return donor
    donor = Donor(
        kind=DonorKind.INDIVIDUAL,
        name=name[:300],
        email=email,
        user_id=_actor_id(actor),
    )
    db.session.add(donor)
    db.session.flush()
    record_event(actor=actor, action="donor.created", subject=donor, summary=f"donor {donor.name}")
    return donor


def donor_for_organisation(*, actor: User, organisation: Organisation) -> Donor:
    """The organisation's donor record, created the first time it gives."""
    kind = DONOR_KIND_OF_ORGANISATION.get(organisation.kind)
    if kind is None:
        raise ValidationFailed(
            N_("%(name)s is registered as a grant applicant, not as a donor."),
            name=organisation.name,
        )
    donor = db.session.execute(
        sa.select(Donor).where(Donor.organisation_id == organisation.id)
    ).scalar_one_or_none()
    if donor is not None:
        return donor
    donor = Donor(
        kind=kind,
        name=organisation.name,
        email=organisation.contact_email,
        country=organisation.country,
        organisation_id=organisation.id,
    )
    db.session.add(donor)
    db.session.flush()
    record_event(actor=actor, action="donor.created", subject=donor, summary=f"donor {donor.name}")
    return donor


def create_donor(
    *,
    actor: User,
    kind: DonorKind,
    name: str,
    country: str | None = None,
    email: str | None = None,
    public_recognition: bool = False,
) -> Donor:
    """Finance records an institutional donor that does not use the portal (a Note Verbale)."""
    if not (
        has_permission(actor, Permission.CONFIRM_PLEDGE)
        or has_permission(actor, Permission.RECORD_BANK_RECEIPT)
    ):
        raise PermissionDenied(N_("You do not have permission to do this."))
    if not name.strip():
        raise ValidationFailed(N_("Please give the donor's name."))
    donor = Donor(
        kind=kind,
        name=name.strip()[:300],
        country=(country or None),
        email=normalise_email(email) if email else None,
        public_recognition=public_recognition,
    )
    db.session.add(donor)
    db.session.flush()
    record_event(actor=actor, action="donor.created", subject=donor, summary=f"donor {donor.name}")
    return donor


def donors_of(user: User) -> list[Donor]:
    """The donor records a signed-in person acts for: their own and their organisations'."""
    organisation_ids = [m.organisation_id for m in user.memberships]
    conditions: list[sa.ColumnElement[bool]] = [
        sa.and_(Donor.organisation_id.is_(None), Donor.user_id == user.id)
    ]
    if user.email_confirmed:
        conditions.append(
            sa.and_(
                Donor.organisation_id.is_(None),
                Donor.user_id.is_(None),
                Donor.email == user.email,
            )
        )
    if organisation_ids:
        conditions.append(Donor.organisation_id.in_(organisation_ids))
    return list(
        db.session.execute(sa.select(Donor).where(sa.or_(*conditions)).order_by(Donor.name))
        .scalars()
        .all()
    )
