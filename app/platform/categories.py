"""Shared vocabularies: situations, priority groups, exploitation, assistance, sex and age.

Calls, applications, grant reports and public reporting all count and filter by these codes, so
they live in one place. Labels (translated) are in app/web/labels.py; the database and the API
carry the codes.
"""

from __future__ import annotations

from enum import StrEnum


class Situation(StrEnum):
    """Priority situations of a call (DOMAIN.md "Priorities")."""

    MIXED_MIGRATION = "mixed_migration"  # large movements of refugees and migrants, incl. IDPs
    ARMED_CONFLICT = "armed_conflict"  # armed conflict, breakdown of law and order
    CLIMATE_CHANGE = "climate_change"
    OTHER = "other"


class Theme(StrEnum):
    """Priority groups and themes: women and girls first, then those most left behind."""

    WOMEN_AND_GIRLS = "women_and_girls"
    MEN_AND_BOYS = "men_and_boys"
    NON_BINARY = "non_binary"
    CHILDREN = "children"
    PERSONS_WITH_DISABILITIES = "persons_with_disabilities"
    LGBTQI = "lgbtqi"
    REFUGEES_AND_IDPS = "refugees_and_idps"
    INDIGENOUS_PEOPLES = "indigenous_peoples"
    OLDER_PERSONS = "older_persons"
    MINORITIES = "minorities"
    SURVIVOR_LEADERSHIP = "survivor_leadership"


class FormOfExploitation(StrEnum):
    """Forms of exploitation (DOMAIN.md priorities and the GLOTIP reporting categories)."""

    SEXUAL_EXPLOITATION = "sexual_exploitation"
    FORCED_LABOUR = "forced_labour"
    ORGAN_REMOVAL = "organ_removal"
    FORCED_BEGGING = "forced_begging"
    FORCED_CRIMINALITY = "forced_criminality"
    FORCED_MARRIAGE = "forced_marriage"
    PORNOGRAPHIC_MATERIAL = "pornographic_material"
    MIXED = "mixed"
    OTHER = "other"


class AssistanceType(StrEnum):
    SHELTER = "shelter"
    FOOD_AND_MATERIAL_AID = "food_and_material_aid"
    MEDICAL = "medical"
    PSYCHOSOCIAL = "psychosocial"
    LEGAL_AID = "legal_aid"
    EDUCATION_AND_TRAINING = "education_and_training"
    LIVELIHOODS = "livelihoods"
    REINTEGRATION = "reintegration"


class Sex(StrEnum):
    """Counts of people are always by sex x age (DESIGN.md §6); never about one person."""

    FEMALE = "female"
    MALE = "male"
    OTHER_OR_UNKNOWN = "other_or_unknown"


class AgeGroup(StrEnum):
    ADULT = "adult"
    CHILD = "child"


class DocumentKind(StrEnum):
    """What an uploaded file is. Organisation documents serve every application of the NGO."""

    REGISTRATION_CERTIFICATE = "registration_certificate"
    AUDITED_FINANCIAL_STATEMENTS = "audited_financial_statements"
    PSEA_POLICY = "psea_policy"
    REFERENCE_LETTER = "reference_letter"
    PROPOSAL = "proposal"  # Annex A
    BUDGET = "budget"  # Annex B
    PARTNER_DECLARATION = "partner_declaration"  # Annex C
    OTHER = "other"


# Kinds kept with the organisation's due-diligence file rather than with one application.
ORGANISATION_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.REGISTRATION_CERTIFICATE,
        DocumentKind.AUDITED_FINANCIAL_STATEMENTS,
        DocumentKind.PSEA_POLICY,
        DocumentKind.REFERENCE_LETTER,
        DocumentKind.OTHER,
    }
)
APPLICATION_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.PROPOSAL,
        DocumentKind.BUDGET,
        DocumentKind.PARTNER_DECLARATION,
        DocumentKind.REFERENCE_LETTER,
        DocumentKind.OTHER,
    }
)
