"""The eligibility checklist a screener decides with, and the screenings recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.applications.models import (
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
    OrganisationProfile,
)
from app.applications.services import application_documents_count, profile_of
from app.calls.models import Call
from app.organisations.services.bank_accounts import mask_account
from app.organisations.services.destinations import destination
from app.platform.extensions import db
from app.reviews.models import Screening
from app.screening.services.decisions import standing_hits

S = ApplicationStatus


class Check(StrEnum):
    """The eligibility checklist: from the call's rules and the organisation's verification."""

    ORGANISATION_VERIFIED = "organisation_verified"
    # No open or confirmed sanctions match on the organisation or its key people.
    NO_SANCTIONS_MATCH = "no_sanctions_match"
    SUBMITTED_ON_TIME = "submitted_on_time"
    AMOUNT_WITHIN_CAP = "amount_within_cap"
    DURATION_WITHIN_CAP = "duration_within_cap"
    COUNTRIES_COVERED = "countries_covered"
    LANGUAGE_ACCEPTED = "language_accepted"
    FOCUS_MATCHES_CALL = "focus_matches_call"
    DOCUMENTS_COMPLETE = "documents_complete"
    ONE_YEAR_REGISTERED = "one_year_registered"
    ONE_YEAR_ASSISTING = "one_year_assisting"
    PSEA_MEASURES = "psea_measures"
    # Confirmed by the screener from the documents (the system cannot know them).
    NON_PROFIT_REGISTERED = "non_profit_registered"
    DIRECT_IMPLEMENTER = "direct_implementer"
    ACCOUNT_IN_OWN_NAME = "account_in_own_name"


MANUAL_CHECKS = (Check.NON_PROFIT_REGISTERED, Check.DIRECT_IMPLEMENTER, Check.ACCOUNT_IN_OWN_NAME)


@dataclass(frozen=True)
class CheckItem:
    check: Check
    # True/False for the checks the system makes; None for the ones the screener confirms.
    passed: bool | None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def manual(self) -> bool:
        return self.check in MANUAL_CHECKS


def screening_checklist(application: Application) -> list[CheckItem]:
    """The checklist in the order the screener reads it: the organisation's verification, the
    call's rules, the organisation's track record, then what the screener confirms."""
    call = application.call
    profile = profile_of(application.organisation)
    return [
        CheckItem(
            Check.ORGANISATION_VERIFIED,
            profile is not None and profile.status == DueDiligenceStatus.VERIFIED,
            {"risk": str(profile.risk_rating) if profile and profile.risk_rating else ""},
        ),
        _sanctions_check(application),
        *_call_rule_checks(application, call),
        *_track_record_checks(profile, application.submitted_at or call.closes_at),
        *_screener_checks(profile),
    ]


def _call_rule_checks(application: Application, call: Call) -> list[CheckItem]:
    """The call's rules: deadline, caps, countries, language, focus, documents."""
    return [
        CheckItem(
            Check.SUBMITTED_ON_TIME,
            application.submitted_at is not None and application.submitted_at < call.closes_at,
        ),
        CheckItem(Check.AMOUNT_WITHIN_CAP, 0 < application.requested_amount <= call.max_amount),
        CheckItem(
            Check.DURATION_WITHIN_CAP,
            bool(application.duration_months)
            and (application.duration_months or 0) <= call.max_duration_months,
        ),
        CheckItem(
            Check.COUNTRIES_COVERED,
            bool(application.countries)
            and (
                not call.eligible_countries
                or all(c in call.eligible_countries for c in application.countries)
            ),
        ),
        CheckItem(
            Check.LANGUAGE_ACCEPTED,
            bool(application.language)
            and (not call.languages or application.language in call.languages),
        ),
        CheckItem(
            Check.FOCUS_MATCHES_CALL,
            _overlaps(application.situations, call.situations)
            and _overlaps(application.forms_of_exploitation, call.forms_of_exploitation),
        ),
        CheckItem(Check.DOCUMENTS_COMPLETE, not _missing_documents(application)),
    ]


def _track_record_checks(profile: OrganisationProfile | None, moment: datetime) -> list[CheckItem]:
    """A year registered and a year assisting by ``moment`` (submission), and PSEA measures."""
    registered = profile.registration_date if profile else None
    since = profile.assistance_since_year if profile else None
    return [
        CheckItem(
            Check.ONE_YEAR_REGISTERED,
            registered is not None and registered <= (moment - timedelta(days=365)).date(),
        ),
        CheckItem(Check.ONE_YEAR_ASSISTING, since is not None and since < moment.year),
        CheckItem(Check.PSEA_MEASURES, bool(profile and profile.psea_policy)),
    ]


def _sanctions_check(application: Application) -> CheckItem:
    """Met while no match on the sanctions list holds the organisation; the reference of the
    one that does is shown (the due-diligence queue has the rest)."""
    hits = standing_hits(application.organisation_id)
    detail = {"hit_id": hits[0].id, "status": str(hits[0].status)} if hits else {}
    return CheckItem(Check.NO_SANCTIONS_MATCH, not hits, detail)


def _screener_checks(profile: OrganisationProfile | None) -> list[CheckItem]:
    """The checks only the documents answer; the account holder's name, and the bank account
    on record (masked, a pending change, another organisation using it), help with the last."""
    holder = profile.bank_account_holder if profile else ""
    detail: dict[str, Any] = {"holder": holder}
    if profile is not None:
        payee = destination(profile.organisation_id)
        account = payee.current or payee.pending
        if account is not None:
            detail.update(
                account=mask_account(account),
                account_holder=account.holder_name,
                pending_change=payee.pending is not None,
                shared_with=payee.shared_with,
            )
    return [
        CheckItem(Check.NON_PROFIT_REGISTERED, None),
        CheckItem(Check.DIRECT_IMPLEMENTER, None),
        CheckItem(Check.ACCOUNT_IN_OWN_NAME, None, detail),
    ]


def _overlaps(chosen: Sequence[str], allowed: Sequence[str]) -> bool:
    """The application addresses at least one of the call's codes (a call listing none: any)."""
    if not allowed:
        return bool(chosen)
    return any(code in allowed for code in chosen)


def _missing_documents(application: Application) -> list[str]:
    have = application_documents_count(application)
    return [k for k, n in application.call.required_documents.items() if have[k] < n]


def screenings_of(application: Application) -> list[Screening]:
    return list(
        db.session.execute(
            sa.select(Screening)
            .where(Screening.application_id == application.id)
            .order_by(Screening.id.desc())
        ).scalars()
    )


def ineligibility_reason(application: Application) -> str | None:
    """The reason the applicant is given when screened out."""
    if application.status != S.INELIGIBLE:
        return None
    for screening in screenings_of(application):
        if screening.reason:
            return screening.reason
    return None
