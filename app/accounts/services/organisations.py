"""Organisations and their memberships: creating one, adding a colleague, who owns it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.audit.services import record_event
from app.platform.errors import N_, Conflict, PermissionDenied
from app.platform.extensions import db


def create_organisation(
    *, actor: User, name: str, kind: OrganisationKind, country: str | None = None
) -> Organisation:
    """Create an organisation with ``actor`` as its owner."""
    organisation = Organisation(
        name=name.strip(), kind=kind, country=country, contact_email=actor.email
    )
    organisation.memberships.append(Membership(user=actor, role=MembershipRole.OWNER))
    db.session.add(organisation)
    db.session.flush()
    record_event(
        actor=actor,
        action="organisation.created",
        subject=organisation,
        summary=f"created {organisation.name}",
    )
    return organisation


def add_member(
    *,
    actor: User,
    organisation: Organisation,
    user: User,
    role: MembershipRole = MembershipRole.MEMBER,
) -> Membership:
    """An owner adds a colleague to their organisation."""
    if not is_owner(actor, organisation) and not actor.has_role(Role.ADMIN):
        raise PermissionDenied(N_("Only an owner of the organisation can add colleagues."))
    if any(m.user_id == user.id for m in organisation.memberships):
        raise Conflict(
            N_("%(email)s is already a member of %(organisation)s."),
            email=user.email,
            organisation=organisation.name,
        )
    membership = Membership(organisation=organisation, user=user, role=role)
    db.session.add(membership)
    record_event(
        actor=actor,
        action="organisation.member_added",
        subject=organisation,
        summary=f"{user.email} added as {role}",
    )
    db.session.flush()
    return membership


def is_owner(user: User, organisation: Organisation) -> bool:
    return any(
        m.user_id == user.id and m.role == MembershipRole.OWNER for m in organisation.memberships
    )


def organisation_ids_of(user: User) -> set[int]:
    return {m.organisation_id for m in user.memberships}


def organisation_ids_query(user: User) -> sa.Select[Any]:
    """The ids of the organisations ``user`` belongs to as a subquery, for a list of theirs
    read a page at a time (no membership is loaded)."""
    return sa.select(Membership.organisation_id).where(Membership.user_id == user.id)
