"""Test data for the NGO side: calls, verified organisations, complete applications, files."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.db import utcnow
from app.domain.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.domain.applications import services as ngo
from app.domain.applications.models import (
    Application,
    BudgetCategory,
    DueDiligenceStatus,
    OrganisationProfile,
    RiskRating,
)
from app.domain.applications.services import (
    ActivityData,
    BeneficiariesData,
    BudgetData,
    BudgetLineData,
    FocusData,
    LocationsData,
    SummaryData,
    WorkplanData,
)
from app.domain.calls import services as calls
from app.domain.calls.models import Call, WindowKind
from app.domain.calls.services import CallDetails, Criterion
from app.domain.categories import AgeGroup, DocumentKind, Sex
from app.extensions import db
from app.storage import LocalStorage
from tests.factories import user_with

# Smallest files each accepted type is recognised by.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office_file(kind: str = "docx", *, macros: bool = False) -> bytes:
    """A minimal .docx/.xlsx package (a zip with the parts that identify it)."""
    content_type = "application/vnd.ms-word.document.macroEnabled.12" if macros else "x"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml", f'<Types><Override ContentType="{content_type}"/></Types>'
        )
        package.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def call_details(**overrides: Any) -> CallDetails:
    now = utcnow()
    values: dict[str, Any] = {
        "reference": "SGP1-TEST",
        "window": WindowKind.EMERGENCY,
        "title": {"en": "Emergency grants", "fr": "Subventions d'urgence"},
        "description": {"en": "Help for victims in crises.", "fr": "Aide aux victimes."},
        "opens_at": now - timedelta(days=10),
        "closes_at": now + timedelta(days=20),
        "timezone": "Europe/Vienna",
        "envelope": 200_000_00,
        "currency": "USD",
        "eligible_countries": [],
        "situations": ["armed_conflict"],
        "themes": ["women_and_girls"],
        "forms_of_exploitation": ["sexual_exploitation"],
        "required_documents": {"proposal": 1, "budget": 1, "registration_certificate": 1},
        "languages": ["en", "fr", "es"],
        "criteria": [
            Criterion("Relevance", Decimal("60")),
            Criterion("Capacity", Decimal("40")),
        ],
    }
    values.update(overrides)
    return CallDetails(**values)


def fund_manager() -> User:
    return user_with(Role.FUND_MANAGER)


def open_call(manager: User | None = None, **overrides: Any) -> Call:
    """A published call accepting applications now."""
    manager = manager or fund_manager()
    call = calls.create_call(actor=manager, details=call_details(**overrides))
    calls.publish_call(actor=manager, call=call)
    return call


def ngo_organisation(
    owner: User | None = None,
    *,
    status: DueDiligenceStatus = DueDiligenceStatus.VERIFIED,
    name: str = "Safe Haven",
    country: str = "NG",
    registration_number: str = "RC-1",
    bank_account_holder: str | None = None,
    contact_email: str | None = None,
) -> Organisation:
    """An NGO with a complete due-diligence file in ``status``, owned by ``owner``."""
    owner = owner or user_with(Role.APPLICANT)
    organisation = Organisation(
        name=name, kind=OrganisationKind.NGO, country=country, contact_email=contact_email
    )
    organisation.memberships.append(Membership(user=owner, role=MembershipRole.OWNER))
    db.session.add(organisation)
    db.session.flush()
    holder = bank_account_holder or name
    db.session.add(
        OrganisationProfile(
            organisation=organisation,
            legal_name=name,
            countries_of_operation=[country],
            registration_number=registration_number,
            registration_number_key=ngo.registration_number_key(registration_number),
            registration_date=utcnow().date() - timedelta(days=800),
            assistance_since_year=utcnow().year - 3,
            un_partner_portal_id="CNI123",
            bank_account_holder=holder,
            bank_account_holder_key=ngo.holder_key(holder),
            status=status,
            risk_rating=RiskRating.LOW if status == DueDiligenceStatus.VERIFIED else None,
        )
    )
    db.session.flush()
    db.session.refresh(owner)
    return organisation


def applicant_of(organisation: Organisation) -> User:
    return organisation.memberships[0].user


def complete(
    application: Application, actor: User, storage: LocalStorage, *, amount: int = 10_000_00
) -> Application:
    """Fill every section and attach what the call asks for."""
    call = application.call
    save = lambda data: ngo.save_section(  # noqa: E731
        actor=actor, application=application, data=data, expected_version=None
    )
    save(SummaryData("Shelter for survivors", "We will run a shelter.", "en", 6))
    save(LocationsData([application.organisation.country or "NG"], "Lagos"))
    save(FocusData(["armed_conflict"], ["sexual_exploitation"], ["shelter"]))
    save(
        BeneficiariesData(
            ["women_and_girls"], "Referred by police.", {(Sex.FEMALE, AgeGroup.ADULT): 40}
        )
    )
    save(WorkplanData([ActivityData("Run the shelter", 1, 6)]))
    save(BudgetData([BudgetLineData(BudgetCategory.DIRECT_ASSISTANCE, "Shelter", 1, amount)]))
    for kind, count in call.required_documents.items():
        for number in range(count):
            ngo.upload_document(
                actor=actor,
                organisation=application.organisation,
                application=application
                if DocumentKind(kind) not in {DocumentKind.REGISTRATION_CERTIFICATE}
                else None,
                kind=DocumentKind(kind),
                filename=f"{kind}-{number}.pdf",
                data=PDF,
                storage=storage,
            )
    return application


def started_application(
    *,
    call: Call | None = None,
    organisation: Organisation | None = None,
    now: datetime | None = None,
) -> Application:
    call = call or open_call()
    organisation = organisation or ngo_organisation()
    return ngo.start_application(
        actor=applicant_of(organisation), call=call, organisation=organisation, now=now
    )


@pytest.fixture
def storage(tmp_path: Any) -> LocalStorage:
    """Private storage in a folder of this test's own."""
    return LocalStorage(tmp_path / "uploads")
