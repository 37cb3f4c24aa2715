"""Demo data for the NGO side: two calls, six NGOs in four regions, twenty applications.

Loaded by ``flask demo`` after the demo people (people.py); safe to run again: everything is
looked up by its reference or name first. The demo NGOs ngo@demo.test and ngo2@demo.test own
"Safe Haven Initiative" and "Freedom Path Association", both verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
)
from app.applications.models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    BudgetCategory,
    BudgetLine,
    Document,
    DueDiligenceStatus,
    MessageKind,
    OrganisationProfile,
    PlannedBeneficiary,
    RiskRating,
    WorkplanActivity,
)
from app.applications.services import holder_key, registration_number_key
from app.applications.uploads import inspect_upload
from app.audit.services import record_event
from app.calls.models import Call, CallStatus, RubricCriterion, WindowKind
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.platform.storage import get_storage

OPEN_CALL = "SGP1-2026-EM"
CLOSED_CALL = "SGP2-2025-MT"

RUBRIC = [
    (
        "Relevance to the fund's priorities",
        "30",
        "Victims reached, priority groups and situations.",
    ),
    ("Quality of the approach", "25", "Victim-centred, trauma-informed, realistic workplan."),
    ("Organisational capacity", "20", "Experience of direct assistance, staff, safeguarding."),
    ("Budget and value for money", "15", "Costs justified, most of the money reaches victims."),
    ("Survivor participation", "10", "Survivors shape and lead the work."),
]


@dataclass(frozen=True)
class DemoNgo:
    name: str
    country: str
    owner_email: str
    owner_name: str
    status: DueDiligenceStatus
    risk: RiskRating | None
    registration_number: str
    bank_account_holder: str
    since: int
    survivor_led: bool = False
    rejection_reason: str | None = None


NGOS = [
    DemoNgo(
        "Safe Haven Initiative",
        "NG",
        "ngo@demo.test",
        "Nadia NGO",
        DueDiligenceStatus.VERIFIED,
        RiskRating.LOW,
        "CAC/IT/NO 84512",
        "Safe Haven Initiative",
        2012,
        survivor_led=True,
    ),
    DemoNgo(
        "Freedom Path Association",
        "PH",
        "ngo2@demo.test",
        "Nikolai NGO",
        DueDiligenceStatus.VERIFIED,
        RiskRating.MEDIUM,
        "SEC CN201534567",
        "Freedom Path Association Inc.",
        2015,
    ),
    DemoNgo(
        "Esperanza Libre A.C.",
        "MX",
        "direccion@esperanza-libre.example",
        "Lucía Hernández",
        DueDiligenceStatus.VERIFIED,
        RiskRating.LOW,
        "CLUNI ELI1002105X9",
        "Esperanza Libre A.C.",
        2009,
        survivor_led=True,
    ),
    DemoNgo(
        "Casa Nova",
        "MD",
        "office@casanova.example",
        "Ion Rusu",
        DueDiligenceStatus.VERIFIED,
        RiskRating.HIGH,
        "MD-1012620004518",
        "Asociatia Obsteasca Casa Nova",
        2016,
    ),
    DemoNgo(
        "Espoir Abidjan",
        "CI",
        "contact@espoir-abidjan.example",
        "Awa Koné",
        DueDiligenceStatus.DOCUMENTS_SUBMITTED,
        None,
        "CI-ABJ-2017-B-1187",
        "Jean-Pierre Kouassi",
        2018,
    ),
    DemoNgo(
        "Mains Unies pour la Dignité",
        "CI",
        "info@mains-unies.example",
        "Koffi Yao",
        DueDiligenceStatus.REJECTED,
        None,
        "CI-ABJ-2021-B-0311",
        "Jean-Pierre Kouassi",
        2022,
        rejection_reason=(
            "The bank account is in a private person's name; grants are paid only into an "
            "account in the organisation's name. The organisation has also assisted victims "
            "for less than one year. Correct the account and send the file again next year."
        ),
    ),
]

# (call, organisation index, status, title, months, budget scale in %)
APPLICATIONS = [
    (OPEN_CALL, 0, ApplicationStatus.DRAFT, "Safe return and reintegration in Edo State", 8, 90),
    (OPEN_CALL, 1, ApplicationStatus.SUBMITTED, "Shelter and legal aid in Mindanao", 8, 95),
    (OPEN_CALL, 2, ApplicationStatus.INFO_REQUESTED, "Casa Esperanza emergency shelter", 6, 80),
    (OPEN_CALL, 3, ApplicationStatus.SCREENING, "Emergency support for women from Ukraine", 8, 100),
    (OPEN_CALL, 4, ApplicationStatus.DRAFT, "Accompagnement des enfants victimes", 8, 60),
    (OPEN_CALL, 1, ApplicationStatus.WITHDRAWN, "Hotline for fishers in forced labour", 6, 50),
    (OPEN_CALL, 2, ApplicationStatus.SUBMITTED, "Legal aid on the northern border", 8, 70),
    (OPEN_CALL, 3, ApplicationStatus.DRAFT, "Psychosocial support for returnees", 6, 40),
    (CLOSED_CALL, 0, ApplicationStatus.APPROVED, "Survivor-led economic empowerment", 24, 95),
    (CLOSED_CALL, 1, ApplicationStatus.RESERVE, "Community reintegration in Visayas", 18, 80),
    (CLOSED_CALL, 2, ApplicationStatus.APPROVED, "Access to justice for indigenous women", 24, 90),
    (CLOSED_CALL, 3, ApplicationStatus.REJECTED, "Vocational training for survivors", 12, 60),
    (
        CLOSED_CALL,
        0,
        ApplicationStatus.NOT_RECOMMENDED,
        "School programme on online grooming",
        12,
        40,
    ),
    (CLOSED_CALL, 1, ApplicationStatus.RECOMMENDED, "Shelter for trafficked children", 24, 100),
    (CLOSED_CALL, 2, ApplicationStatus.IN_REVIEW, "Migrant workers' rights in Chiapas", 18, 75),
    (CLOSED_CALL, 3, ApplicationStatus.INELIGIBLE, "Research on trafficking routes", 12, 50),
    (CLOSED_CALL, 5, ApplicationStatus.WITHDRAWN, "Centre d'écoute pour les victimes", 12, 30),
    (CLOSED_CALL, 4, ApplicationStatus.WITHDRAWN, "Réinsertion des jeunes filles", 12, 35),
    (CLOSED_CALL, 0, ApplicationStatus.IN_REVIEW, "Medical care for survivors in Lagos", 18, 70),
    (CLOSED_CALL, 1, ApplicationStatus.SUBMITTED, "Case management for returnees", 18, 65),
]

# A tiny but real PDF: the demo's attachments pass the same content check as uploads.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _user(spec: DemoNgo) -> User:
    user = db.session.execute(
        select(User).where(User.email == spec.owner_email)
    ).scalar_one_or_none()
    if user is None:
        # Colleagues of the demo NGOs have no password: only ngo@ and ngo2@ sign in.
        user = User(email=spec.owner_email, full_name=spec.owner_name, password_hash=None)
        user.role_grants.append(UserRole(role=Role.APPLICANT))
        db.session.add(user)
        db.session.flush()
    return user


def _organisation(spec: DemoNgo, owner: User) -> Organisation:
    organisation = db.session.execute(
        select(Organisation).where(Organisation.name == spec.name)
    ).scalar_one_or_none()
    if organisation is None:
        organisation = Organisation(
            name=spec.name,
            kind=OrganisationKind.NGO,
            country=spec.country,
            contact_email=spec.owner_email,
        )
        organisation.memberships.append(Membership(user=owner, role=MembershipRole.OWNER))
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _document(
    organisation: Organisation,
    kind: DocumentKind,
    name: str,
    uploader: User,
    application: Application | None = None,
) -> None:
    inspected = inspect_upload(_PDF, name, max_bytes=len(_PDF))
    db.session.add(
        Document(
            organisation_id=organisation.id,
            application=application,
            kind=kind,
            filename=inspected.filename,
            content_type=inspected.content_type,
            size_bytes=inspected.size_bytes,
            sha256=inspected.sha256,
            storage_key=get_storage().save(_PDF),
            uploaded_by_id=uploader.id,
        )
    )


def _profile(spec: DemoNgo, organisation: Organisation, owner: User, manager: User | None) -> None:
    if db.session.get(OrganisationProfile, organisation.id) is not None:
        return
    now = utcnow()
    profile = OrganisationProfile(
        organisation=organisation,
        legal_name=spec.name,
        countries_of_operation=[spec.country],
        registration_number=spec.registration_number,
        registration_number_key=registration_number_key(spec.registration_number),
        registration_date=date(spec.since - 1, 3, 15),
        assistance_since_year=spec.since,
        un_partner_portal_id=f"CNI{spec.since}{organisation.id:05d}",
        survivor_led=spec.survivor_led,
        psea_policy=spec.status != DueDiligenceStatus.REJECTED,
        bank_account_holder=spec.bank_account_holder,
        bank_account_holder_key=holder_key(spec.bank_account_holder),
        status=spec.status,
        risk_rating=spec.risk,
        rejection_reason=spec.rejection_reason,
        submitted_at=now - timedelta(days=60),
        decided_at=None if spec.status == DueDiligenceStatus.DOCUMENTS_SUBMITTED else now,
        decided_by_id=manager.id
        if manager and spec.status != DueDiligenceStatus.DOCUMENTS_SUBMITTED
        else None,
    )
    db.session.add(profile)
    slug = spec.name.lower().replace(" ", "-")
    _document(
        organisation, DocumentKind.REGISTRATION_CERTIFICATE, f"{slug}-registration.pdf", owner
    )
    _document(
        organisation, DocumentKind.AUDITED_FINANCIAL_STATEMENTS, f"{slug}-audit-2024.pdf", owner
    )
    if profile.psea_policy:
        _document(organisation, DocumentKind.PSEA_POLICY, f"{slug}-psea-policy.pdf", owner)
    record_event(
        actor=None,
        action="demo.organisation_file",
        subject=organisation,
        summary=f"demo due-diligence file for {spec.name} ({spec.status})",
    )


def _calls(manager: User | None) -> dict[str, Call]:
    now = utcnow()
    specs = {
        OPEN_CALL: {
            "window": WindowKind.EMERGENCY,
            "title": {
                "en": "Emergency grants 2026: assistance to victims in crisis situations",
                "fr": "Subventions d'urgence 2026 : aide aux victimes en situation de crise",
                "es": "Subvenciones de emergencia 2026: asistencia a víctimas en crisis",
            },
            "description": {
                "en": "Grants of up to USD 20,000 for up to eight months, for organisations that "
                "assist victims of trafficking directly in situations of conflict, large movements "
                "of refugees and migrants, or climate-related disasters.\n\nWomen and girls first; "
                "survivor-led organisations are encouraged to apply.",
                "fr": "Subventions de 20 000 USD au plus, pour huit mois au plus, destinées aux "
                "organisations qui aident directement les victimes de la traite en situation "
                "de conflit, de grands mouvements de réfugiés et de migrants ou de catastrophes "
                "climatiques.\n\nLes femmes et les filles d'abord ; les organisations dirigées par "
                "des survivantes sont encouragées à postuler.",
                "es": "Subvenciones de hasta 20 000 USD y hasta ocho meses para organizaciones que "
                "asisten directamente a víctimas de la trata en situaciones de conflicto, grandes "
                "movimientos de personas refugiadas y migrantes o desastres climáticos.\n\nPrimero "
                "las mujeres y las niñas; se anima a postular a las organizaciones lideradas por "
                "sobrevivientes.",
            },
            "opens_at": now - timedelta(days=30),
            "closes_at": (now + timedelta(days=45)).replace(
                hour=22, minute=59, second=0, microsecond=0
            ),
            "timezone": "Europe/Vienna",
            "envelope": 250_000_00,
            "max_amount": 20_000_00,
            "max_duration_months": 8,
            "status": CallStatus.PUBLISHED,
        },
        CLOSED_CALL: {
            "window": WindowKind.MEDIUM_TERM,
            "title": {
                "en": "Medium-term grants 2025: reintegration and access to justice",
                "fr": "Subventions à moyen terme 2025 : réinsertion et accès à la justice",
                "es": "Subvenciones a medio plazo 2025: reintegración y acceso a la justicia",
            },
            "description": {
                "en": "Grants of up to USD 60,000 over up to two years for projects that help "
                "survivors rebuild their lives and obtain justice.",
                "fr": "Subventions de 60 000 USD au plus sur deux ans au plus pour des projets qui "
                "aident les survivantes et survivants à reconstruire leur vie et obtenir justice.",
                "es": "Subvenciones de hasta 60 000 USD durante dos años como máximo para "
                "proyectos que ayudan a las personas sobrevivientes a rehacer su vida y "
                "obtener justicia.",
            },
            "opens_at": now - timedelta(days=240),
            "closes_at": now - timedelta(days=120),
            "timezone": "America/New_York",
            "envelope": 500_000_00,
            "max_amount": 60_000_00,
            "max_duration_months": 24,
            "status": CallStatus.CLOSED,
        },
    }
    calls = {}
    for reference, spec in specs.items():
        call = db.session.execute(
            select(Call).where(Call.reference == reference)
        ).scalar_one_or_none()
        if call is None:
            call = Call(
                reference=reference,
                currency="USD",
                eligible_countries=[],
                situations=["mixed_migration", "armed_conflict", "climate_change"],
                themes=["women_and_girls", "children", "refugees_and_idps", "survivor_leadership"],
                forms_of_exploitation=[
                    "sexual_exploitation",
                    "forced_labour",
                    "forced_marriage",
                    "forced_begging",
                    "forced_criminality",
                    "organ_removal",
                ],
                required_documents=dict(current_app.config["CALL_REQUIRED_DOCUMENTS"]),
                languages=["en", "fr", "es"],
                created_by_id=manager.id if manager else None,
                published_at=spec["opens_at"],
                **spec,
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
                actor=None,
                action="demo.call_created",
                subject=call,
                summary=f"demo call {reference}",
            )
        calls[reference] = call
    return calls


_BUDGET = [
    (BudgetCategory.DIRECT_ASSISTANCE, "Shelter, food and clothing (person-months)", 120, 45_00),
    (BudgetCategory.DIRECT_ASSISTANCE, "Medical and psychological care (sessions)", 160, 25_00),
    (BudgetCategory.PERSONNEL, "Case workers (person-months)", 12, 450_00),
    (BudgetCategory.TRAVEL, "Transport for survivors to court and clinics", 60, 15_00),
    (BudgetCategory.MONITORING_AND_AUDIT, "Independent audit and monitoring visits", 1, 900_00),
]


def _fill(application: Application, scale: int, months: int) -> None:
    """A complete, believable application, its budget scaled to ``scale`` % of the cap."""
    organisation = application.organisation
    application.summary = (
        f"{organisation.name} will run “{application.title}” for survivors of trafficking, "
        "with a case worker for each person, from first contact to a safe, lasting solution."
    )
    application.language = (
        "en"
        if organisation.country not in ("CI", "MX")
        else ("fr" if organisation.country == "CI" else "es")
    )
    application.duration_months = months
    application.countries = [organisation.country or "NG"]
    application.locations = "Capital region and two border districts"
    application.situations = ["mixed_migration"]
    application.forms_of_exploitation = ["sexual_exploitation", "forced_labour"]
    application.assistance_types = ["shelter", "medical", "psychosocial", "legal_aid"]
    application.target_groups = ["women_and_girls", "children"]
    application.target_groups_notes = "Referred by police, labour inspectors and partner NGOs."
    counts = {
        (Sex.FEMALE, AgeGroup.ADULT): 60,
        (Sex.FEMALE, AgeGroup.CHILD): 25,
        (Sex.MALE, AgeGroup.ADULT): 15,
        (Sex.MALE, AgeGroup.CHILD): 10,
        (Sex.OTHER_OR_UNKNOWN, AgeGroup.ADULT): 2,
        (Sex.OTHER_OR_UNKNOWN, AgeGroup.CHILD): 0,
    }
    application.beneficiaries = [
        PlannedBeneficiary(sex=sex, age_group=age, count=count * scale // 100)
        for (sex, age), count in counts.items()
    ]
    third = max(1, months // 3)
    application.activities = [
        WorkplanActivity(
            position=0, description="Identification and referral", start_month=1, end_month=months
        ),
        WorkplanActivity(
            position=1, description="Shelter and immediate care", start_month=1, end_month=2 * third
        ),
        WorkplanActivity(
            position=2, description="Legal accompaniment", start_month=2, end_month=months
        ),
        WorkplanActivity(
            position=3,
            description="Reintegration plans and follow-up",
            start_month=third + 1,
            end_month=months,
        ),
    ]
    # Scale the lines so the total is ``scale`` % of the call's cap, never above it.
    base = sum(quantity * unit for _c, _d, quantity, unit in _BUDGET)
    target = application.call.max_amount * scale // 100
    application.budget_lines = [
        BudgetLine(
            position=position,
            category=category,
            description=description,
            quantity=quantity,
            unit_cost=unit * target // base,
        )
        for position, (category, description, quantity, unit) in enumerate(_BUDGET)
    ]
    application.requested_amount = sum(line.amount for line in application.budget_lines)
    application.psc_rate = Decimal(str(current_app.config["PSC_RATE"]))
    application.psc_amount = apply_rate(application.requested_amount, application.psc_rate)


def _applications(
    calls: dict[str, Call],
    organisations: list[Organisation],
    owners: list[User],
    manager: User | None,
) -> None:
    now = utcnow()
    for reference, index, status, title, months, scale in APPLICATIONS:
        call = calls[reference]
        organisation = organisations[index]
        exists = db.session.execute(
            select(Application.id).where(
                Application.call_id == call.id,
                Application.organisation_id == organisation.id,
                Application.title == title,
            )
        ).scalar_one_or_none()
        if exists is not None:
            continue
        owner = owners[index]
        application = Application(
            call=call,
            organisation=organisation,
            status=status,
            currency=call.currency,
            title=title,
            created_by_id=owner.id,
            updated_by_id=owner.id,
        )
        db.session.add(application)
        _fill(application, scale, months)
        db.session.flush()
        slug = title.lower().replace(" ", "-")[:40]
        complete = status != ApplicationStatus.DRAFT or scale >= 90
        if complete:
            # The first draft (Safe Haven's) misses its proposal: the demo NGO finishes it.
            kinds = [
                DocumentKind.BUDGET,
                DocumentKind.PARTNER_DECLARATION,
                DocumentKind.REFERENCE_LETTER,
                DocumentKind.REFERENCE_LETTER,
            ]
            if status != ApplicationStatus.DRAFT:
                kinds.insert(0, DocumentKind.PROPOSAL)
            for number, kind in enumerate(kinds, start=1):
                _document(
                    organisation, kind, f"{slug}-{kind.value}-{number}.pdf", owner, application
                )
        if status not in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN):
            application.submitted_at = min(call.closes_at, now) - timedelta(days=5 + index)
        if status == ApplicationStatus.WITHDRAWN:
            application.withdrawn_at = now - timedelta(days=3)
        if status == ApplicationStatus.INFO_REQUESTED:
            application.messages.append(
                ApplicationMessage(
                    kind=MessageKind.INFORMATION_REQUEST,
                    author_id=manager.id if manager else None,
                    body="Please explain how survivors will be referred to the shelter, and "
                    "confirm that the shelter is licensed by the local authorities.",
                )
            )
        record_event(
            actor=None,
            action="demo.application_created",
            subject=application,
            summary=f"demo application in state {status}",
        )


def load_demo_calls_and_applications() -> int:
    """Create what is missing; returns how many applications exist afterwards."""
    manager = db.session.execute(
        select(User).where(User.email == "fund_manager@demo.test")
    ).scalar_one_or_none()
    owners = [_user(spec) for spec in NGOS]
    organisations = [_organisation(spec, owner) for spec, owner in zip(NGOS, owners, strict=True)]
    for spec, organisation, owner in zip(NGOS, organisations, owners, strict=True):
        _profile(spec, organisation, owner, manager)
    db.session.flush()
    calls = _calls(manager)
    _applications(calls, organisations, owners, manager)
    db.session.flush()
    return len(db.session.execute(select(Application.id)).all())
