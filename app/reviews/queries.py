"""Read-only selection queries: assignments, the screening checklist, scores and the ranking,
the Board's papers, and the applicant's timeline.

Scores are computed with exact fractions and rounded once, half up, to three decimal places:
the same reviews always give the same weighted score and spread, on every database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.accounts.models import Role, User, UserRole
from app.accounts.permissions import (
    Permission,
    has_permission,
    is_member,
)
from app.applications.models import (
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
)
from app.applications.services import Problem, application_documents_count, profile_of
from app.applications.workflow import ReviewProgress
from app.audit.models import AuditEvent
from app.calls.models import Call, RubricCriterion
from app.platform.errors import N_
from app.platform.extensions import db
from app.reviews.models import (
    MAX_SCORE,
    AssignmentStatus,
    BoardDecision,
    BoardMeeting,
    PanelRecommendation,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewStatus,
    Screening,
)

S = ApplicationStatus
PLACES = 3

# Application states that have been through screening into review, shown in the ranking.
RANKED_STATUSES = (
    S.IN_REVIEW,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
    S.APPROVED,
    S.RESERVE,
    S.REJECTED,
)
# States that still wait for someone at the fund or the Board.
UNDECIDED_STATUSES = (
    S.SUBMITTED,
    S.SCREENING,
    S.IN_REVIEW,
    S.INFO_REQUESTED,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
)
OPEN_ASSIGNMENT = (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE)


def to_decimal(value: Fraction, places: int = PLACES) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (values here are never negative)."""
    scale = 10**places
    numerator = value.numerator * scale
    rounded = (2 * numerator + value.denominator) // (2 * value.denominator)
    return Decimal(rounded).scaleb(-places)


# --- assignments ----------------------------------------------------------------------------


def assignments_of(application: Application) -> list[ReviewAssignment]:
    return list(
        db.session.execute(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.application_id == application.id)
            .order_by(ReviewAssignment.id)
        ).scalars()
    )


def review_progress(application: Application) -> ReviewProgress:
    """Submitted and outstanding reviews of the reviewers still on ``application``: what the
    recommendation guard counts (create_app() hands it to the applications workflow)."""
    live = [a for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT]
    submitted = sum(1 for a in live if a.review is not None and a.review.is_submitted)
    return ReviewProgress(submitted=submitted, outstanding=len(live) - submitted)


def assignment_for(application: Application, user: Any) -> ReviewAssignment | None:
    if not isinstance(user, User):
        return None
    return db.session.execute(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
        )
    ).scalar_one_or_none()


def active_assignment(application: Application, user: Any) -> ReviewAssignment | None:
    """The user's assignment if they declared no conflict and were not removed."""
    assignment = assignment_for(application, user)
    if assignment is None or assignment.status != AssignmentStatus.ACTIVE:
        return None
    return assignment


def assignments_for_reviewer(user: User) -> list[ReviewAssignment]:
    """A reviewer's assignments, open ones first, the soonest due first."""
    rows = db.session.execute(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status != AssignmentStatus.REMOVED,
        )
        .order_by(ReviewAssignment.due_on, ReviewAssignment.id)
    ).scalars()
    return sorted(rows, key=lambda a: (not is_open(a), a.due_on, a.id))


def is_open(assignment: ReviewAssignment) -> bool:
    """Still waiting for the reviewer: a declaration or a review to submit, while in review."""
    if assignment.status not in OPEN_ASSIGNMENT:
        return False
    if assignment.review is not None and assignment.review.is_submitted:
        return False
    return assignment.application.status == S.IN_REVIEW


def open_load(reviewer_ids: Iterable[int]) -> dict[int, int]:
    """How many open assignments each reviewer carries (for balancing the load)."""
    ids = list(reviewer_ids)
    load = dict.fromkeys(ids, 0)
    if not ids:
        return load
    rows = db.session.execute(
        sa.select(ReviewAssignment.reviewer_id, sa.func.count())
        .join(Application, Application.id == ReviewAssignment.application_id)
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.reviewer_id.in_(ids),
            ReviewAssignment.status.in_(OPEN_ASSIGNMENT),
            Application.status == S.IN_REVIEW,
            sa.or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED),
        )
        .group_by(ReviewAssignment.reviewer_id)
    )
    for reviewer_id, count in rows:
        load[reviewer_id] = count
    return load


def users_with_role(role: Role) -> list[User]:
    return list(
        db.session.execute(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.is_active.is_(True))
            .order_by(User.full_name, User.id)
        ).scalars()
    )


def conflicted_reviewer_ids(application: Application) -> set[int]:
    """Reviewers who declared a conflict with this organisation (on any of its applications)."""
    return set(
        db.session.execute(
            sa.select(ReviewAssignment.reviewer_id)
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(
                Application.organisation_id == application.organisation_id,
                ReviewAssignment.status == AssignmentStatus.RECUSED,
            )
        ).scalars()
    )


@dataclass(frozen=True)
class Candidate:
    reviewer: User
    load: int
    excluded_because: str | None = None  # "member", "conflict", "assigned"


def reviewer_candidates(application: Application) -> list[Candidate]:
    """Every reviewer, least loaded first, each with the reason they cannot take this one."""
    reviewers = users_with_role(Role.REVIEWER)
    load = open_load(r.id for r in reviewers)
    conflicted = conflicted_reviewer_ids(application)
    taken = {
        a.reviewer_id
        for a in assignments_of(application)
        if a.status in (*OPEN_ASSIGNMENT, AssignmentStatus.RECUSED)
    }
    found = []
    for reviewer in reviewers:
        reason = None
        if is_member(reviewer, application.organisation_id):
            reason = "member"
        elif reviewer.id in conflicted:
            reason = "conflict"
        elif reviewer.id in taken:
            reason = "assigned"
        found.append(Candidate(reviewer, load[reviewer.id], reason))
    return sorted(found, key=lambda c: (c.excluded_because is not None, c.load, c.reviewer.id))


def reviewers_wanted() -> int:
    return int(current_app.config["REVIEWS_PER_APPLICATION"])


def suggest_reviewers(
    application: Application, *, extra_load: dict[int, int] | None = None
) -> list[User]:
    """The least-loaded eligible reviewers to bring the application up to the number wanted."""
    extra_load = extra_load or {}
    live = [a for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT]
    missing = max(0, reviewers_wanted() - len(live))
    eligible = [c for c in reviewer_candidates(application) if c.excluded_because is None]
    eligible.sort(key=lambda c: (c.load + extra_load.get(c.reviewer.id, 0), c.reviewer.id))
    return [c.reviewer for c in eligible[:missing]]


def default_due_date(today: date) -> date:
    return today + timedelta(days=int(current_app.config["REVIEW_DUE_DAYS"]))


def assignments_to_remind(*, today: date) -> list[ReviewAssignment]:
    """Open assignments due within REVIEW_REMINDER_DAYS or overdue, not yet reminded today."""
    horizon = today + timedelta(days=int(current_app.config["REVIEW_REMINDER_DAYS"]))
    rows = db.session.execute(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.status.in_(OPEN_ASSIGNMENT),
            ReviewAssignment.due_on <= horizon,
            sa.or_(ReviewAssignment.reminded_on.is_(None), ReviewAssignment.reminded_on < today),
        )
        .order_by(ReviewAssignment.id)
    ).scalars()
    return [a for a in rows if is_open(a)]


# --- screening ------------------------------------------------------------------------------


class Check(StrEnum):
    """The eligibility checklist: from the call's rules and the organisation's verification."""

    ORGANISATION_VERIFIED = "organisation_verified"
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
    call = application.call
    profile = profile_of(application.organisation)
    moment = application.submitted_at or call.closes_at
    items = [
        CheckItem(
            Check.ORGANISATION_VERIFIED,
            profile is not None and profile.status == DueDiligenceStatus.VERIFIED,
            {"risk": str(profile.risk_rating) if profile and profile.risk_rating else ""},
        ),
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
    registered = profile.registration_date if profile else None
    items.append(
        CheckItem(
            Check.ONE_YEAR_REGISTERED,
            registered is not None and registered <= (moment - timedelta(days=365)).date(),
        )
    )
    since = profile.assistance_since_year if profile else None
    items.append(CheckItem(Check.ONE_YEAR_ASSISTING, since is not None and since < moment.year))
    items.append(CheckItem(Check.PSEA_MEASURES, bool(profile and profile.psea_policy)))
    holder = profile.bank_account_holder if profile else ""
    items.extend(
        [
            CheckItem(Check.NON_PROFIT_REGISTERED, None),
            CheckItem(Check.DIRECT_IMPLEMENTER, None),
            CheckItem(Check.ACCOUNT_IN_OWN_NAME, None, {"holder": holder}),
        ]
    )
    return items


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


# --- reviews and scores ---------------------------------------------------------------------


def review_problems(review: Review) -> list[Problem]:
    """What is missing before the review can be submitted."""
    problems = []
    for criterion in review.application.call.criteria:
        score = review.score_for(criterion.id)
        if score is None or score.score is None:
            problems.append(
                Problem(N_("Score every criterion: %(criterion)s."), {"criterion": criterion.name})
            )
        elif not score.justification.strip():
            problems.append(
                Problem(N_("Justify the score for %(criterion)s."), {"criterion": criterion.name})
            )
    if review.recommendation is None:
        problems.append(Problem(N_("Give your overall recommendation.")))
    return problems


def review_weighted_score(review: Review, criteria: Sequence[RubricCriterion]) -> Fraction | None:
    """Σ(weight x score) / Σ weight over the call's criteria; None until every one is scored."""
    total_weight = Fraction(0)
    total = Fraction(0)
    for criterion in criteria:
        score = review.score_for(criterion.id)
        if score is None or score.score is None:
            return None
        weight = Fraction(criterion.weight)
        total_weight += weight
        total += weight * score.score
    if total_weight == 0:
        return None
    return total / total_weight


def submitted_reviews(application: Application) -> list[Review]:
    return list(
        db.session.execute(
            sa.select(Review)
            .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
            .where(
                Review.application_id == application.id,
                Review.status == ReviewStatus.SUBMITTED,
                # A review stays on the record whatever happens to the assignment afterwards.
            )
            .order_by(Review.submitted_at, Review.id)
        ).scalars()
    )


@dataclass(frozen=True)
class CriterionMean:
    criterion: RubricCriterion
    mean: Decimal


@dataclass(frozen=True)
class Score:
    """An application's score from its submitted reviews."""

    reviews: int
    weighted: Decimal | None  # mean of the reviewers' weighted scores, 0-5
    spread: Decimal | None  # highest minus lowest reviewer's weighted score
    reviewer_scores: tuple[Decimal, ...]
    criterion_means: tuple[CriterionMean, ...]
    recommendations: dict[Recommendation, int]
    disagreement: bool

    @property
    def exact(self) -> bool:
        return self.weighted is not None


def application_score(application: Application, reviews: Sequence[Review] | None = None) -> Score:
    criteria = list(application.call.criteria)
    reviews = submitted_reviews(application) if reviews is None else reviews
    fractions = [f for f in (review_weighted_score(r, criteria) for r in reviews) if f is not None]
    recommendations = Counter(r.recommendation for r in reviews if r.recommendation is not None)
    means = []
    for criterion in criteria:
        values = [
            s.score
            for r in reviews
            if (s := r.score_for(criterion.id)) is not None and s.score is not None
        ]
        if values:
            means.append(CriterionMean(criterion, to_decimal(Fraction(sum(values), len(values)))))
    if not fractions:
        return Score(len(reviews), None, None, (), tuple(means), dict(recommendations), False)
    mean = sum(fractions, Fraction(0)) / len(fractions)
    spread = max(fractions) - min(fractions)
    threshold = Fraction(Decimal(str(current_app.config["REVIEW_DISAGREEMENT_SPREAD"])))
    split = recommendations[Recommendation.DO_NOT_FUND] > 0 and (
        recommendations[Recommendation.FUND] + recommendations[Recommendation.FUND_WITH_CONDITIONS]
        > 0
    )
    return Score(
        reviews=len(reviews),
        weighted=to_decimal(mean),
        spread=to_decimal(spread),
        reviewer_scores=tuple(to_decimal(f) for f in fractions),
        criterion_means=tuple(means),
        recommendations=dict(recommendations),
        disagreement=len(fractions) > 1 and (spread >= threshold or split),
    )


@dataclass(frozen=True)
class VisibleReview:
    review: Review
    # "Reviewer A", "Reviewer B"...: peers and the Board see letters; the fund sees names.
    alias: str
    weighted: Decimal | None
    mine: bool


def visible_reviews(application: Application, actor: Any) -> list[VisibleReview] | None:
    """The submitted reviews ``actor`` may read, or None when they may read none yet.

    The fund's staff (not linked to the applicant) read them all; a reviewer reads the others
    only once their own is submitted. Applicants never read reviews.
    """
    if is_member(actor, application.organisation_id):
        return None
    reviews = submitted_reviews(application)
    criteria = list(application.call.criteria)
    mine_id = getattr(actor, "id", None)
    if not has_permission(actor, Permission.VIEW_ALL_APPLICATIONS):
        own = assignment_for(application, actor)
        if own is None or own.review is None or not own.review.is_submitted:
            return None
    result = []
    for index, review in enumerate(reviews):
        weighted = review_weighted_score(review, criteria)
        result.append(
            VisibleReview(
                review=review,
                alias=chr(ord("A") + index % 26),
                weighted=None if weighted is None else to_decimal(weighted),
                mine=review.reviewer_id == mine_id,
            )
        )
    return result


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedApplication:
    rank: int
    application: Application
    score: Score
    assigned: int
    running_total: int
    over_envelope: bool
    over_available: bool
    recommendation: PanelRecommendation | None


@dataclass(frozen=True)
class Ranking:
    call: Call
    rows: list[RankedApplication]
    envelope: int
    available: int | None  # the fund's available balance (ledger), None when not comparable
    available_currency: str | None
    requested_total: int
    recommended_total: int
    approved_total: int

    @property
    def envelope_left(self) -> int:
        return self.envelope - self.approved_total


def latest_recommendation(application: Application) -> PanelRecommendation | None:
    return db.session.execute(
        sa.select(PanelRecommendation)
        .where(PanelRecommendation.application_id == application.id)
        .order_by(PanelRecommendation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def fund_available_balance() -> tuple[int, str] | None:
    """The fund's available balance from the ledger (FUND_AVAILABLE), in its currency."""
    from app.ledger import chart
    from app.ledger.services import account_balance

    account = chart.find_account(chart.FUND_AVAILABLE)
    if account is None:
        return None
    return account_balance(account=account).available, account.currency


def approved_amount(application: Application) -> int:
    from app.reviews.services import approved_decision_for

    decision = approved_decision_for(application)
    return decision.approved_amount or 0 if decision is not None else 0


def call_ranking(call: Call) -> Ranking:
    applications = list(
        db.session.execute(
            sa.select(Application).where(
                Application.call_id == call.id, Application.status.in_(RANKED_STATUSES)
            )
        ).scalars()
    )
    scored = []
    for application in applications:
        assigned = sum(1 for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT)
        scored.append((application, application_score(application), assigned))
    scored.sort(
        key=lambda row: (
            row[1].weighted is None,
            -(row[1].weighted or 0),
            row[0].requested_amount,
            row[0].id,
        )
    )
    balance = fund_available_balance()
    available = balance[0] if balance and balance[1] == call.currency else None
    rows = []
    running = 0
    for rank, (application, score, assigned) in enumerate(scored, start=1):
        running += application.requested_amount
        rows.append(
            RankedApplication(
                rank=rank,
                application=application,
                score=score,
                assigned=assigned,
                running_total=running,
                over_envelope=running > call.envelope,
                over_available=available is not None and running > available,
                recommendation=latest_recommendation(application),
            )
        )
    return Ranking(
        call=call,
        rows=rows,
        envelope=call.envelope,
        available=available,
        available_currency=balance[1] if balance else None,
        requested_total=running,
        recommended_total=sum(
            r.application.requested_amount for r in rows if r.application.status == S.RECOMMENDED
        ),
        approved_total=sum(approved_amount(r.application) for r in rows),
    )


def undecided_count(call: Call) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Application)
            .where(Application.call_id == call.id, Application.status.in_(UNDECIDED_STATUSES))
        )
        or 0
    )


# --- the Board ------------------------------------------------------------------------------


def board_members() -> list[User]:
    return users_with_role(Role.BOARD)


def board_pack_rows(call: Call) -> list[RankedApplication]:
    """What goes to the Board: recommended and not recommended applications, and the reserve
    list (for money that frees up), in ranking order."""
    wanted = (S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE)
    return [r for r in call_ranking(call).rows if r.application.status in wanted]


def board_pack_counts() -> dict[int, int]:
    """How many applications each call has before the Board (as in ``board_pack_rows``).

    One grouped query for the Board's overview, rather than ranking every call's applications.
    """
    wanted = (S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE)
    rows = db.session.execute(
        sa.select(Application.call_id, sa.func.count())
        .where(Application.status.in_(wanted))
        .group_by(Application.call_id)
    ).all()
    return {int(call_id): int(count) for call_id, count in rows}


def decisions_of(application: Application) -> list[BoardDecision]:
    return list(
        db.session.execute(
            sa.select(BoardDecision)
            .where(BoardDecision.application_id == application.id)
            .order_by(BoardDecision.decided_at, BoardDecision.id)
        ).scalars()
    )


def latest_decision(application: Application) -> BoardDecision | None:
    decisions = decisions_of(application)
    return decisions[-1] if decisions else None


def meetings() -> list[BoardMeeting]:
    return list(
        db.session.execute(
            sa.select(BoardMeeting)
            .options(
                selectinload(BoardMeeting.call),
                selectinload(BoardMeeting.members),
                selectinload(BoardMeeting.decisions),
            )
            .order_by(BoardMeeting.held_on.desc(), BoardMeeting.id.desc())
        ).scalars()
    )


def awaiting_decision(meeting: BoardMeeting) -> list[Application]:
    """Applications the meeting can decide: those before the Board, and the reserve list."""
    query = sa.select(Application).where(
        Application.status.in_((S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE))
    )
    if meeting.call_id is not None:
        query = query.where(Application.call_id == meeting.call_id)
    applications = list(db.session.execute(query).scalars())
    order = {S.RECOMMENDED: 0, S.NOT_RECOMMENDED: 1, S.RESERVE: 2}
    return sorted(applications, key=lambda a: (order[a.status], a.call_id, a.id))


# --- the applicant's view -------------------------------------------------------------------


class Milestone(StrEnum):
    """What the applicant is told happened; the fund's internal steps are not shown apart."""

    STARTED = "started"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    INFO_REQUESTED = "info_requested"
    INFORMATION_PROVIDED = "information_provided"
    INELIGIBLE = "ineligible"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    RESERVE = "reserve"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_MILESTONES = {
    "application.started": Milestone.STARTED,
    "application.submitted": Milestone.SUBMITTED,
    "application.screening": Milestone.SCREENING,
    "application.info_requested": Milestone.INFO_REQUESTED,
    "application.information_provided": Milestone.INFORMATION_PROVIDED,
    "application.ineligible": Milestone.INELIGIBLE,
    "application.in_review": Milestone.IN_REVIEW,
    # Recommended or not: the applicant learns the outcome from the Board, not before.
    "application.recommended": Milestone.REVIEWED,
    "application.not_recommended": Milestone.REVIEWED,
    "application.approved": Milestone.APPROVED,
    "application.reserve": Milestone.RESERVE,
    "application.rejected": Milestone.REJECTED,
    "application.withdrawn": Milestone.WITHDRAWN,
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    milestone: Milestone


def timeline(application: Application) -> list[TimelineEntry]:
    """The application's history from the audit log, in the applicant's terms (no names)."""
    events = db.session.execute(
        sa.select(AuditEvent.occurred_at, AuditEvent.action)
        .where(
            AuditEvent.subject_type == Application.__tablename__,
            AuditEvent.subject_id == str(application.id),
            AuditEvent.action.in_(list(_MILESTONES)),
        )
        .order_by(AuditEvent.id)
    )
    entries: list[TimelineEntry] = []
    for at, action in events:
        milestone = _MILESTONES[action]
        if entries and entries[-1].milestone == milestone == Milestone.REVIEWED:
            continue  # a change between recommended and not is internal
        entries.append(TimelineEntry(at, milestone))
    return entries


def feedback_for(application: Application) -> str:
    recommendation = latest_recommendation(application)
    return recommendation.feedback if recommendation is not None else ""


def max_score() -> int:
    return MAX_SCORE
