"""Selection records: screening, reviewer assignments and reviews, recommendations, Board meetings.

Status columns of these rows change only through app/reviews/services.py; the application's
own status moves through APPLICATION_WORKFLOW (app/applications/workflow.py).
Scores are whole numbers 0-5 per criterion; weighted means are Decimal, computed, never stored as
floats. Amounts are integer minor units in the call's currency.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.applications.models import Application
from app.calls.models import Call, RubricCriterion
from app.platform.db import APPEND_ONLY, Model, Money, TimestampMixin, UTCDateTime, str_enum, utcnow

MAX_SCORE = 5


class ScreeningOutcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INFO_REQUESTED = "info_requested"


class AssignmentStatus(StrEnum):
    """A reviewer's place on an application: waiting for the declaration, reviewing, out."""

    AWAITING_DECLARATION = "awaiting_declaration"
    ACTIVE = "active"
    RECUSED = "recused"
    REMOVED = "removed"


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Recommendation(StrEnum):
    FUND = "fund"
    FUND_WITH_CONDITIONS = "fund_with_conditions"
    DO_NOT_FUND = "do_not_fund"


class PanelOutcome(StrEnum):
    RECOMMENDED = "recommended"
    NOT_RECOMMENDED = "not_recommended"


class MeetingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class DecisionOutcome(StrEnum):
    APPROVED = "approved"
    RESERVE = "reserve"
    REJECTED = "rejected"


class Vote(StrEnum):
    APPROVE = "approve"
    RESERVE = "reserve"
    REJECT = "reject"
    ABSTAIN = "abstain"
    # A member linked to the applicant takes no part; the row records that they were recused.
    RECUSED = "recused"


class Screening(Model):
    """One eligibility check of an application: the checklist as it stood, and the outcome."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[ScreeningOutcome] = mapped_column(
        str_enum(ScreeningOutcome, "screening_outcome")
    )
    # [{"key": ..., "passed": bool | None, "note": ...}]: the checks the screener saw and confirmed.
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # Shown to the applicant when the outcome is ineligible.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship()
    screened_by: Mapped[User | None] = relationship()


class ReviewAssignment(TimestampMixin, Model):
    """A reviewer asked to review one application, and their conflict-of-interest declaration."""

    __tablename__ = "review_assignments"
    __table_args__ = (sa.UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus, "assignment_status"),
        default=AssignmentStatus.AWAITING_DECLARATION,
        index=True,
    )
    due_on: Mapped[date] = mapped_column(sa.Date)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The declaration: None until made; True with a description recuses the reviewer.
    has_conflict: Mapped[bool | None] = mapped_column()
    conflict_description: Mapped[str] = mapped_column(sa.Text, default="")
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last day a reminder went out, so `flask reviews remind` sends at most one a day.
    reminded_on: Mapped[date | None] = mapped_column(sa.Date)

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    review: Mapped[Review | None] = relationship(back_populates="assignment", uselist=False)

    @property
    def is_active(self) -> bool:
        return self.status == AssignmentStatus.ACTIVE


class Review(TimestampMixin, Model):
    """A reviewer's scores against the call's rubric: a draft until submitted, then fixed."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True
    )
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.DRAFT, index=True
    )
    recommendation: Mapped[Recommendation | None] = mapped_column(
        str_enum(Recommendation, "review_recommendation")
    )
    # For the secretariat only: never shown to the applicant.
    comments: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="review")
    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED

    def score_for(self, criterion_id: int) -> ReviewScore | None:
        return next((s for s in self.scores if s.criterion_id == criterion_id), None)


class ReviewScore(Model):
    """One criterion's score (0-5) and the reviewer's justification for it."""

    __tablename__ = "review_scores"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "criterion_id"),
        sa.CheckConstraint(f"score >= 0 AND score <= {MAX_SCORE}", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int | None] = mapped_column()
    justification: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[RubricCriterion] = relationship()


class PanelRecommendation(Model):
    """The secretariat's recommendation to the Board, with the key risks for the Board pack."""

    __tablename__ = "panel_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[PanelOutcome] = mapped_column(str_enum(PanelOutcome, "panel_outcome"))
    # Kept with the recommendation so the Board pack shows the score the secretariat saw.
    weighted_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 3))
    key_risks: Mapped[str] = mapped_column(sa.Text, default="")
    # Feeds the feedback summary in the decision letter; written for the applicant.
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship()


# Members present at a meeting (a plain association: who was in the room).
board_meeting_members = sa.Table(
    "board_meeting_members",
    Model.metadata,
    sa.Column(
        "meeting_id",
        sa.ForeignKey("board_meetings.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class BoardMeeting(Model):
    """A Board of Trustees meeting: when, who was present, and the quorum rule it met."""

    __tablename__ = "board_meetings"
    __table_args__ = (sa.CheckConstraint("quorum >= 1", name="quorum_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    # Copied from settings (BOARD_QUORUM) when the meeting is recorded: the rule it was held under.
    quorum: Mapped[int] = mapped_column()
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.OPEN
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call | None] = relationship()
    members: Mapped[list[User]] = relationship(
        secondary=board_meeting_members, order_by="User.id", lazy="selectin"
    )
    decisions: Mapped[list[BoardDecision]] = relationship(
        back_populates="meeting", order_by="BoardDecision.id"
    )

    @property
    def reference(self) -> str:
        return f"BM-{self.id:04d}"


class BoardDecision(Model):
    """The Board's decision on one application. Final once recorded; a reserve can be followed
    by a later approval (a new row), never edited."""

    __tablename__ = "board_decisions"
    __table_args__ = (
        sa.CheckConstraint(
            "(outcome = 'approved' AND approved_amount > 0) "
            "OR (outcome <> 'approved' AND approved_amount IS NULL)",
            name="amount_only_when_approved",
        ),
        APPEND_ONLY,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("board_meetings.id"), index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(
        str_enum(DecisionOutcome, "decision_outcome"), index=True
    )
    # In the call's currency (= the application's); None unless approved.
    approved_amount: Mapped[int | None] = mapped_column(Money())
    conditions: Mapped[str] = mapped_column(sa.Text, default="")
    # Why: the Board's reasons, for the record (the applicant sees the feedback summary instead).
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application: Mapped[Application] = relationship()
    meeting: Mapped[BoardMeeting] = relationship(back_populates="decisions")
    recorded_by: Mapped[User | None] = relationship()
    votes: Mapped[list[BoardVote]] = relationship(
        back_populates="decision",
        cascade="all, delete-orphan",
        order_by="BoardVote.member_id",
        lazy="selectin",
    )

    @property
    def currency(self) -> str:
        return self.application.currency


class BoardVote(Model):
    """One member's vote on a decision (or their recusal)."""

    __tablename__ = "board_votes"
    __table_args__ = (sa.UniqueConstraint("decision_id", "member_id"), APPEND_ONLY)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("board_decisions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    vote: Mapped[Vote] = mapped_column(str_enum(Vote, "board_vote"))

    decision: Mapped[BoardDecision] = relationship(back_populates="votes")
    member: Mapped[User] = relationship()
