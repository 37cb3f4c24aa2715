"""The NGO side's operations: due diligence, documents, applications and their message thread.

One module per use case; every function takes the acting user explicitly, flushes, and leaves
the commit to its caller. The names below are kept importable from here for the callers that
always did; new code may import from the use-case module itself.
"""

from __future__ import annotations

from app.applications.services.budget import budget_by_category, psc_rate
from app.applications.services.checks import MAX_COUNT, MAX_PROJECT_MONTHS, Problem
from app.applications.services.colleagues import invite_colleague
from app.applications.services.documents import remove_document, upload_document
from app.applications.services.duplicates import (
    DuplicateMatch,
    flagged_organisation_ids,
    possible_duplicates,
)
from app.applications.services.eligibility import (
    application_documents_count,
    completeness,
    completeness_percent,
)
from app.applications.services.organisations import (
    DueDiligenceDetails,
    holder_key,
    register_organisation,
    registration_number_key,
    update_due_diligence,
)
from app.applications.services.queries import (
    application_for,
    applications_of,
    belongs_to_an_ngo,
    filter_applications,
    list_applications,
    organisation_documents,
    organisation_files,
    organisation_files_query,
    organisations_of,
    profile_of,
)
from app.applications.services.sections import (
    ActivityData,
    BeneficiariesData,
    BudgetData,
    BudgetLineData,
    FocusData,
    LocationsData,
    ResultsData,
    Section,
    SectionCheck,
    SectionData,
    SummaryData,
    WorkplanData,
    save_section,
)
from app.applications.services.start import start_application
from app.applications.services.submission import (
    reply_to_information_request,
    request_information,
    submit_application,
    withdraw_application,
)
from app.applications.services.verification import (
    due_diligence_problems,
    reject_organisation,
    required_organisation_documents,
    set_risk_rating,
    submit_for_verification,
    verify_organisation,
)
from app.applications.services.versions import EditConflict

# Kept here for a caller that imported it from this module.
from app.platform.categories import APPLICATION_DOCUMENT_KINDS

__all__ = [
    "APPLICATION_DOCUMENT_KINDS",
    "MAX_COUNT",
    "MAX_PROJECT_MONTHS",
    "ActivityData",
    "BeneficiariesData",
    "BudgetData",
    "BudgetLineData",
    "DueDiligenceDetails",
    "DuplicateMatch",
    "EditConflict",
    "FocusData",
    "LocationsData",
    "Problem",
    "ResultsData",
    "Section",
    "SectionCheck",
    "SectionData",
    "SummaryData",
    "WorkplanData",
    "application_documents_count",
    "application_for",
    "applications_of",
    "belongs_to_an_ngo",
    "budget_by_category",
    "completeness",
    "completeness_percent",
    "due_diligence_problems",
    "filter_applications",
    "flagged_organisation_ids",
    "holder_key",
    "invite_colleague",
    "list_applications",
    "organisation_documents",
    "organisation_files",
    "organisation_files_query",
    "organisations_of",
    "possible_duplicates",
    "profile_of",
    "psc_rate",
    "register_organisation",
    "registration_number_key",
    "reject_organisation",
    "remove_document",
    "reply_to_information_request",
    "request_information",
    "required_organisation_documents",
    "save_section",
    "set_risk_rating",
    "start_application",
    "submit_application",
    "submit_for_verification",
    "update_due_diligence",
    "upload_document",
    "verify_organisation",
    "withdraw_application",
]
