"""Monitoring of a grant: planned and done visits, spot checks and audits (``MonitoringActivity``),
what they found (``MonitoringFinding``), what the grantee is asked to do about it
(``MonitoringRecommendation``), and each confirmed partner rating (``PartnerRating``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.applications.models import RiskRating
from app.grants.models import Grant
from app.platform.db import APPEND_ONLY, Model, UTCDateTime, str_enum, utcnow


class ActivityKind(StrEnum):
    VISIT = "visit"  # a monitoring visit to the programme
    SPOT_CHECK = "spot_check"  # a financial spot check of the grantee's books
    AUDIT = "audit"  # an audit of the grant: its findings are the partner's "audit results"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"


class FindingSeverity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RecommendationStatus(StrEnum):
    OPEN = "open"  # waiting for the grantee
    RESPONDED = "responded"  # the grantee answered; waiting for the fund manager
    CLOSED = "closed"  # the fund manager is satisfied


class MonitoringActivity(Model):
    """A visit, spot check or audit of one grant: planned (when, by whom), then done."""

    __tablename__ = "monitoring_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, "monitoring_activity_kind"))
    status: Mapped[ActivityStatus] = mapped_column(
        str_enum(ActivityStatus, "monitoring_activity_status"), default=ActivityStatus.PLANNED
    )
    planned_on: Mapped[date] = mapped_column(sa.Date)
    # Who goes: a colleague, a consultant or an audit firm, as the fund manager writes it.
    assignee: Mapped[str] = mapped_column(sa.String(200), default="")
    planned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    # What the grantee is told of the visit.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # The fund's own observations: never shown to the grantee.
    staff_notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship()
    findings: Mapped[list[MonitoringFinding]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="MonitoringFinding.id"
    )

    @property
    def organisation_id(self) -> int:
        return self.grant.organisation_id


class MonitoringFinding(Model):
    """One thing a visit, spot check or audit found, with how serious it is."""

    __tablename__ = "monitoring_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("monitoring_activities.id", ondelete="CASCADE"), index=True
    )
    severity: Mapped[FindingSeverity] = mapped_column(
        str_enum(FindingSeverity, "monitoring_finding_severity")
    )
    description: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    activity: Mapped[MonitoringActivity] = relationship(back_populates="findings")
    recommendations: Mapped[list[MonitoringRecommendation]] = relationship(
        back_populates="finding",
        cascade="all, delete-orphan",
        order_by="MonitoringRecommendation.id",
    )

    @property
    def is_closed(self) -> bool:
        """Closed once every recommendation made on it is closed (one without any is closed)."""
        return all(r.status == RecommendationStatus.CLOSED for r in self.recommendations)


class MonitoringRecommendation(Model):
    """What the grantee is asked to do about a finding, by when; followed up until closed."""

    __tablename__ = "monitoring_recommendations"
    __table_args__ = (sa.Index("ix_monitoring_recommendations_follow_up", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        sa.ForeignKey("monitoring_findings.id", ondelete="CASCADE"), index=True
    )
    # The finding's grant, kept here so the follow-up lists need no join through the visit.
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[RecommendationStatus] = mapped_column(
        str_enum(RecommendationStatus, "monitoring_recommendation_status"),
        default=RecommendationStatus.OPEN,
    )
    response: Mapped[str] = mapped_column(sa.Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Why the fund manager reopened it: the grantee reads it with the recommendation.
    reopen_reason: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    finding: Mapped[MonitoringFinding] = relationship(back_populates="recommendations")
    grant: Mapped[Grant] = relationship()
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    def is_overdue(self, on: date) -> bool:
        return self.status == RecommendationStatus.OPEN and self.due_on < on


class PartnerRating(Model):
    """A person's decision on an organisation's risk rating after reading its partner score:
    the score and its lines as they read them, what was proposed, the rating before and after.
    Kept as written: a later decision is a new row."""

    __tablename__ = "partner_ratings"
    __table_args__ = (APPEND_ONLY,)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column()
    # [{"label": msgid, "params": {...}, "points": int}, ...]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    proposed: Mapped[RiskRating] = mapped_column(str_enum(RiskRating, "partner_rating_proposed"))
    previous: Mapped[RiskRating | None] = mapped_column(
        str_enum(RiskRating, "partner_rating_previous")
    )
    confirmed: Mapped[RiskRating] = mapped_column(str_enum(RiskRating, "partner_rating_confirmed"))
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User] = relationship()
