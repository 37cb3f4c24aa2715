"""Translated labels for the codes stored in the database (categories, statuses, kinds).

Templates show ``label(value)``; forms build their choices with ``choices(Enum)``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.applications.models import (
    ApplicationStatus,
    BudgetCategory,
    ConceptStatus,
    DueDiligenceStatus,
    MessageKind,
    RiskRating,
)
from app.applications.services import Section
from app.calls.models import CallStatus, WindowKind
from app.outbox.models import OutboxStatus
from app.platform.categories import (
    AgeGroup,
    AssistanceType,
    DocumentKind,
    FormOfExploitation,
    Sex,
    Situation,
    Theme,
)
from app.results.models import IndicatorUnit, SdgTarget

# A list, not a dict: members of different vocabularies share values ("other", "draft"),
# and StrEnum members hash and compare as their values.
LABELS: list[tuple[StrEnum, LazyString]] = [
    # calls
    (CallStatus.DRAFT, _l("Draft")),
    (CallStatus.PUBLISHED, _l("Published")),
    (CallStatus.CLOSED, _l("Closed")),
    (CallStatus.DECIDED, _l("Decided")),
    (WindowKind.EMERGENCY, _l("Emergency window")),
    (WindowKind.MEDIUM_TERM, _l("Medium-term window")),
    # situations
    (Situation.MIXED_MIGRATION, _l("Large movements of refugees and migrants, including IDPs")),
    (Situation.ARMED_CONFLICT, _l("Armed conflict or breakdown of law and order")),
    (Situation.CLIMATE_CHANGE, _l("Climate change and disasters")),
    (Situation.OTHER, _l("Other situations")),
    # priority groups
    (Theme.WOMEN_AND_GIRLS, _l("Women and girls")),
    (Theme.MEN_AND_BOYS, _l("Men and boys")),
    (Theme.NON_BINARY, _l("Non-binary people")),
    (Theme.CHILDREN, _l("Children")),
    (Theme.PERSONS_WITH_DISABILITIES, _l("Persons with disabilities")),
    (Theme.LGBTQI, _l("LGBTQI people")),
    (Theme.REFUGEES_AND_IDPS, _l("Refugees and internally displaced people")),
    (Theme.INDIGENOUS_PEOPLES, _l("Indigenous peoples")),
    (Theme.OLDER_PERSONS, _l("Older people")),
    (Theme.MINORITIES, _l("Minorities")),
    (Theme.SURVIVOR_LEADERSHIP, _l("Survivor leadership")),
    # forms of exploitation
    (FormOfExploitation.SEXUAL_EXPLOITATION, _l("Sexual exploitation")),
    (FormOfExploitation.FORCED_LABOUR, _l("Forced labour")),
    (FormOfExploitation.ORGAN_REMOVAL, _l("Organ removal")),
    (FormOfExploitation.FORCED_BEGGING, _l("Forced begging")),
    (FormOfExploitation.FORCED_CRIMINALITY, _l("Forced criminality")),
    (FormOfExploitation.FORCED_MARRIAGE, _l("Forced marriage")),
    (FormOfExploitation.PORNOGRAPHIC_MATERIAL, _l("Production of pornographic material")),
    (FormOfExploitation.MIXED, _l("Mixed forms")),
    (FormOfExploitation.OTHER, _l("Other forms")),
    # assistance
    (AssistanceType.SHELTER, _l("Shelter and housing")),
    (AssistanceType.FOOD_AND_MATERIAL_AID, _l("Food and material aid")),
    (AssistanceType.MEDICAL, _l("Medical care")),
    (AssistanceType.PSYCHOSOCIAL, _l("Psychosocial support")),
    (AssistanceType.LEGAL_AID, _l("Legal aid and access to justice")),
    (AssistanceType.EDUCATION_AND_TRAINING, _l("Education and vocational training")),
    (AssistanceType.LIVELIHOODS, _l("Livelihoods and financial inclusion")),
    (AssistanceType.REINTEGRATION, _l("Reintegration and family reunification")),
    # people
    (Sex.FEMALE, _l("Female")),
    (Sex.MALE, _l("Male")),
    (Sex.OTHER_OR_UNKNOWN, _l("Other or unknown")),
    (AgeGroup.ADULT, _l("Adults")),
    (AgeGroup.CHILD, _l("Children (under 18)")),
    # documents
    (DocumentKind.REGISTRATION_CERTIFICATE, _l("Registration certificate")),
    (DocumentKind.AUDITED_FINANCIAL_STATEMENTS, _l("Audited financial statements (last year)")),
    (DocumentKind.PSEA_POLICY, _l("Policy on protection from sexual exploitation and abuse")),
    (DocumentKind.REFERENCE_LETTER, _l("Reference letter")),
    (DocumentKind.PROPOSAL, _l("Project proposal (Annex A)")),
    (DocumentKind.BUDGET, _l("Budget (Annex B)")),
    (DocumentKind.PARTNER_DECLARATION, _l("Partner declaration (Annex C)")),
    (DocumentKind.OTHER, _l("Other document")),
    # due diligence
    (DueDiligenceStatus.REGISTERED, _l("Registered")),
    (DueDiligenceStatus.DOCUMENTS_SUBMITTED, _l("Waiting for verification")),
    (DueDiligenceStatus.VERIFIED, _l("Verified")),
    (DueDiligenceStatus.REJECTED, _l("Not verified")),
    (RiskRating.LOW, _l("Low risk")),
    (RiskRating.MEDIUM, _l("Medium risk")),
    (RiskRating.HIGH, _l("High risk")),
    # applications
    (ApplicationStatus.DRAFT, _l("Draft")),
    (ApplicationStatus.SUBMITTED, _l("Submitted")),
    (ApplicationStatus.SCREENING, _l("Being screened")),
    (ApplicationStatus.INELIGIBLE, _l("Not eligible")),
    (ApplicationStatus.IN_REVIEW, _l("In review")),
    (ApplicationStatus.INFO_REQUESTED, _l("Information requested")),
    (ApplicationStatus.RECOMMENDED, _l("Recommended")),
    (ApplicationStatus.NOT_RECOMMENDED, _l("Not recommended")),
    (ApplicationStatus.APPROVED, _l("Approved")),
    (ApplicationStatus.RESERVE, _l("On the reserve list")),
    (ApplicationStatus.REJECTED, _l("Not selected")),
    (ApplicationStatus.WITHDRAWN, _l("Withdrawn")),
    # two-stage calls: the concept note (decision 0115)
    (ConceptStatus.DRAFT, _l("Not sent")),
    (ConceptStatus.SUBMITTED, _l("Waiting for an answer")),
    (ConceptStatus.INVITED, _l("Full proposal invited")),
    (ConceptStatus.DECLINED, _l("Declined")),
    (MessageKind.INFORMATION_REQUEST, _l("Request for information")),
    (MessageKind.REPLY, _l("Answer")),
    (MessageKind.NOTICE, _l("Message from the fund")),
    (BudgetCategory.PERSONNEL, _l("Personnel")),
    (BudgetCategory.DIRECT_ASSISTANCE, _l("Direct assistance to victims")),
    (BudgetCategory.TRAINING_AND_OUTREACH, _l("Training and outreach")),
    (BudgetCategory.TRAVEL, _l("Travel")),
    (BudgetCategory.EQUIPMENT_AND_SUPPLIES, _l("Equipment and supplies")),
    (BudgetCategory.PREMISES_AND_OPERATIONS, _l("Premises and running costs")),
    (BudgetCategory.MONITORING_AND_AUDIT, _l("Monitoring, evaluation and audit")),
    (BudgetCategory.OTHER, _l("Other costs")),
    (Section.SUMMARY, _l("Project summary")),
    (Section.LOCATIONS, _l("Locations")),
    (Section.FOCUS, _l("Situations, exploitation and assistance")),
    (Section.BENEFICIARIES, _l("People to be assisted")),
    (Section.WORKPLAN, _l("Workplan")),
    (Section.BUDGET, _l("Budget")),
    (Section.ATTACHMENTS, _l("Attachments")),
    (Section.RESULTS, _l("Results framework")),
    (Section.QUESTIONS, _l("Questions for this call")),
    # results frameworks (app/results)
    (IndicatorUnit.PEOPLE, _l("People")),
    (IndicatorUnit.NUMBER, _l("Number")),
    (IndicatorUnit.PERCENT, _l("Percent")),
    (SdgTarget.SDG_5_2, _l("SDG 5.2 (violence against women and girls)")),
    (SdgTarget.SDG_8_7, _l("SDG 8.7 (forced labour, modern slavery, trafficking)")),
    (SdgTarget.SDG_16_2, _l("SDG 16.2 (abuse, exploitation and trafficking of children)")),
    # outgoing e-mail
    (OutboxStatus.PENDING, _l("Waiting to be sent")),
    (OutboxStatus.SENT, _l("Sent")),
    (OutboxStatus.FAILED, _l("Could not be sent")),
]

_BY_TYPE: dict[tuple[type, str], LazyString] = {
    (type(member), member.value): text for member, text in LABELS
}


def label(value: Any, vocabulary: type[StrEnum] | None = None) -> str:
    """The translated label of an enum member (or of a code within ``vocabulary``)."""
    if isinstance(value, StrEnum):
        text = _BY_TYPE.get((type(value), value.value))
    elif vocabulary is not None:
        text = _BY_TYPE.get((vocabulary, str(value)))
    else:
        text = None
    return str(text) if text is not None else str(value)


def choices(vocabulary: type[StrEnum]) -> list[tuple[str, LazyString]]:
    return [(member.value, _BY_TYPE[(vocabulary, member.value)]) for member in vocabulary]


def lazy_label(member: StrEnum) -> LazyString:
    """The label, translated when shown (for form fields built at import time)."""
    return _BY_TYPE[(type(member), member.value)]
