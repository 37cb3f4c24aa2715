"""Test data for the NGO side: calls, verified organisations, complete applications, files."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.applications import services as applications
from app.applications.models import (
    Application,
    BudgetCategory,
    DueDiligenceStatus,
    OrganisationProfile,
    RiskRating,
)
from app.applications.services import (
    ActivityData,
    BeneficiariesData,
    BudgetData,
    BudgetLineData,
    FocusData,
    LocationsData,
    SummaryData,
    WorkplanData,
)
from app.calls import services as calls
from app.calls.models import Call, WindowKind
from app.calls.services import CallDetails, Criterion
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import LocalStorage
from tests.factories import user_with

# Smallest files each accepted type is recognised by.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


_MAIN_PARTS = {
    "docx": ("word/document.xml", "wordprocessingml.document", "ms-word.document"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet", "ms-excel.sheet"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation", "ms-powerpoint.presentation"),
}


def office_file(
    kind: str = "docx",
    *,
    macros: bool = False,
    extra: dict[str, bytes | str] | None = None,
    content_types: str | None = None,
) -> bytes:
    """A minimal .docx/.xlsx/.pptx package as Word, Excel or PowerPoint write one.

    ``macros`` makes it macro-enabled (.docm/.xlsm: main part type and vbaProject.bin);
    ``extra`` adds parts; ``content_types`` replaces [Content_Types].xml.
    """
    main, standard, macro_enabled = _MAIN_PARTS[kind]
    main_type = (
        f"application/vnd.{macro_enabled}.macroEnabled.main+xml"
        if macros
        else f"application/vnd.openxmlformats-officedocument.{standard}.main+xml"
    )
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": content_types
        or (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + (
                '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                if macros
                else ""
            )
            + f'<Override PartName="/{main}" ContentType="{main_type}"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="/' + main + '" Type="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
        ),
        "docProps/core.xml": "<cp:coreProperties/>",
        main: "<x/>",
    }
    if macros:
        parts[main.split("/")[0] + "/vbaProject.bin"] = b"\xd0\xcf\x11\xe0macros"
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
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
            registration_number_key=applications.registration_number_key(registration_number),
            registration_date=utcnow().date() - timedelta(days=800),
            assistance_since_year=utcnow().year - 3,
            un_partner_portal_id="CNI123",
            bank_account_holder=holder,
            bank_account_holder_key=applications.holder_key(holder),
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
    save = lambda data: applications.save_section(  # noqa: E731
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
            applications.upload_document(
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
    return applications.start_application(
        actor=applicant_of(organisation), call=call, organisation=organisation, now=now
    )


@pytest.fixture
def storage(tmp_path: Any) -> LocalStorage:
    """Private storage in a folder of this test's own."""
    return LocalStorage(tmp_path / "uploads")
