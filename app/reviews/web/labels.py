"""Translated labels for the selection codes (checks, statuses, votes, milestones)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import LazyString, lazy_pgettext
from flask_babel import lazy_gettext as _l

from app.reviews.models import (
    AssignmentStatus,
    DecisionOutcome,
    MeetingStatus,
    PanelOutcome,
    Recommendation,
    ReviewStatus,
    ScreeningOutcome,
    Vote,
)
from app.reviews.queries.applicant import Milestone
from app.reviews.queries.screening import Check
from app.web.labels import label

# A list of pairs, not a dict: members of different vocabularies share values ("reserve",
# "approved", "draft") and StrEnum members hash and compare as their values.
_PAIRS: list[tuple[StrEnum, LazyString]] = [
    (Check.ORGANISATION_VERIFIED, _l("The organisation's due diligence is verified")),
    (Check.NO_SANCTIONS_MATCH, _l("No open or confirmed match on the UN sanctions list")),
    (Check.SUBMITTED_ON_TIME, _l("Submitted before the deadline")),
    (Check.AMOUNT_WITHIN_CAP, _l("Amount requested within the call's maximum")),
    (Check.DURATION_WITHIN_CAP, _l("Duration within the call's maximum")),
    (Check.COUNTRIES_COVERED, _l("Countries of implementation covered by the call")),
    (Check.LANGUAGE_ACCEPTED, _l("Proposal in a language the call accepts")),
    (Check.FOCUS_MATCHES_CALL, _l("Situations and forms of exploitation within the call")),
    (Check.DOCUMENTS_COMPLETE, _l("Every document the call asks for is attached")),
    (Check.ONE_YEAR_REGISTERED, _l("Registered for at least one year")),
    (Check.ONE_YEAR_ASSISTING, _l("At least one year of direct assistance to victims")),
    (Check.PSEA_MEASURES, _l("Measures against sexual exploitation and abuse (PSEA)")),
    (
        Check.NON_PROFIT_REGISTERED,
        _l("Non-profit, registered in the country of registration and of implementation"),
    ),
    (Check.DIRECT_IMPLEMENTER, _l("Implements directly (not an intermediary)")),
    (Check.ACCOUNT_IN_OWN_NAME, _l("Bank account in the organisation's own name")),
    (ScreeningOutcome.ELIGIBLE, _l("Eligible: send to expert review")),
    (ScreeningOutcome.INELIGIBLE, _l("Not eligible")),
    (ScreeningOutcome.INFO_REQUESTED, _l("Ask the organisation for information")),
    (AssignmentStatus.AWAITING_DECLARATION, _l("Waiting for the declaration of interests")),
    (AssignmentStatus.ACTIVE, _l("No conflict declared: reviewing")),
    (AssignmentStatus.RECUSED, _l("Recused: conflict of interest")),
    (AssignmentStatus.REMOVED, _l("Removed")),
    (ReviewStatus.DRAFT, _l("Draft")),
    (ReviewStatus.SUBMITTED, _l("Submitted")),
    (Recommendation.FUND, _l("Fund")),
    (Recommendation.FUND_WITH_CONDITIONS, _l("Fund with conditions")),
    (Recommendation.DO_NOT_FUND, _l("Do not fund")),
    (PanelOutcome.RECOMMENDED, _l("Recommend to the Board")),
    (PanelOutcome.NOT_RECOMMENDED, _l("Do not recommend")),
    (MeetingStatus.OPEN, lazy_pgettext("status", "Open")),
    (MeetingStatus.CLOSED, _l("Record closed")),
    (DecisionOutcome.APPROVED, _l("Approved")),
    (DecisionOutcome.RESERVE, _l("Reserve list")),
    (DecisionOutcome.REJECTED, _l("Not selected")),
    (Vote.APPROVE, _l("Approve")),
    (Vote.RESERVE, _l("Reserve list")),
    (Vote.REJECT, _l("Reject")),
    (Vote.ABSTAIN, _l("Abstain")),
    (Vote.RECUSED, _l("Recused (linked to the applicant)")),
    (Milestone.STARTED, _l("Application started")),
    (Milestone.SUBMITTED, _l("Submitted")),
    (Milestone.SCREENING, _l("Eligibility check started")),
    (Milestone.INFO_REQUESTED, _l("The fund asked for more information")),
    (Milestone.INFORMATION_PROVIDED, _l("You answered the fund's question")),
    (Milestone.INELIGIBLE, _l("Not eligible")),
    (Milestone.IN_REVIEW, _l("Eligible: under expert review")),
    (Milestone.REVIEWED, _l("Review complete: waiting for the Board of Trustees")),
    (Milestone.APPROVED, _l("Approved by the Board of Trustees")),
    (Milestone.RESERVE, _l("Placed on the reserve list by the Board of Trustees")),
    (Milestone.REJECTED, _l("Not selected by the Board of Trustees")),
    (Milestone.WITHDRAWN, _l("Withdrawn")),
]
LABELS: dict[tuple[type, str], LazyString] = {(type(k), k.value): v for k, v in _PAIRS}


def review_label(value: Any) -> str:
    """The label of a selection code; any other code falls back to the shared labels."""
    if isinstance(value, StrEnum):
        text = LABELS.get((type(value), value.value))
        if text is not None:
            return str(text)
    return label(value)


def review_choices(vocabulary: type[StrEnum]) -> list[tuple[str, LazyString]]:
    return [(m.value, LABELS[(vocabulary, m.value)]) for m in vocabulary]
