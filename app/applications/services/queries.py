"""Reading the NGO side: organisations, their documents and files, applications."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts import services as accounts
from app.accounts.models import Organisation, User
from app.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    DueDiligenceStatus,
    OrganisationProfile,
)
from app.calls.models import Call
from app.platform.extensions import db


def profile_of(organisation: Organisation) -> OrganisationProfile | None:
    return db.session.get(OrganisationProfile, organisation.id)


def organisations_of(user: User) -> list[Organisation]:
    """The NGOs (organisations with a due-diligence file) ``user`` belongs to."""
    ids = accounts.organisation_ids_of(user)
    if not ids:
        return []
    return list(
        db.session.execute(
            select(Organisation)
            .join(OrganisationProfile, OrganisationProfile.organisation_id == Organisation.id)
            .where(Organisation.id.in_(ids))
            .order_by(Organisation.name)
        ).scalars()
    )


def organisation_documents(organisation: Organisation) -> list[Document]:
    return list(
        db.session.execute(
            select(Document)
            .where(Document.organisation_id == organisation.id, Document.application_id.is_(None))
            .order_by(Document.kind, Document.id)
        ).scalars()
    )


def organisation_files_query(
    status: DueDiligenceStatus | None = None, *, only: Iterable[int] | None = None
) -> Any:
    """Due-diligence files for the fund manager, those waiting for a decision first (a select,
    for a paginated list); ``only`` keeps the files of these organisations."""
    query = select(OrganisationProfile).join(OrganisationProfile.organisation)
    if status is not None:
        query = query.where(OrganisationProfile.status == status)
    if only is not None:
        query = query.where(OrganisationProfile.organisation_id.in_(list(only)))
    waiting_first = (OrganisationProfile.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED).desc()
    return query.order_by(waiting_first, Organisation.name, Organisation.id)


def organisation_files(status: DueDiligenceStatus | None = None) -> list[OrganisationProfile]:
    """Due-diligence files for the fund manager, those waiting for a decision first."""
    return list(db.session.execute(organisation_files_query(status)).scalars())


def applications_of(user: User) -> Any:
    """The applications of the organisations ``user`` belongs to: a select, unordered, for a
    paged list (app/web/paged.py)."""
    return (
        select(Application)
        .where(Application.organisation_id.in_(accounts.organisation_ids_query(user)))
        .options(selectinload(Application.concept_note))
    )


def belongs_to_an_ngo(user: User) -> bool:
    """Whether ``user`` belongs to an NGO (an organisation with a due-diligence file)."""
    found = db.session.execute(
        select(OrganisationProfile.organisation_id)
        .where(OrganisationProfile.organisation_id.in_(accounts.organisation_ids_query(user)))
        .limit(1)
    ).first()
    return found is not None


def application_for(organisation_ids: Iterable[int], call: Call) -> Application | None:
    """The organisation's latest application to ``call`` that is not withdrawn, if any."""
    ids = list(organisation_ids)
    if not ids:
        return None
    return db.session.execute(
        select(Application)
        .where(
            Application.call_id == call.id,
            Application.organisation_id.in_(ids),
            Application.status != ApplicationStatus.WITHDRAWN,
        )
        .order_by(Application.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def filter_applications(
    *, call_id: int | None = None, status: ApplicationStatus | None = None
) -> Any:
    """A select of applications for the fund's list, unordered (the caller pages it)."""
    query = select(Application)
    if call_id is not None:
        query = query.where(Application.call_id == call_id)
    if status is not None:
        query = query.where(Application.status == status)
    return query


def list_applications(
    *, call_id: int | None = None, status: ApplicationStatus | None = None
) -> Any:
    """A select of applications for the fund's list, newest first."""
    return filter_applications(call_id=call_id, status=status).order_by(
        Application.updated_at.desc(), Application.id.desc()
    )
