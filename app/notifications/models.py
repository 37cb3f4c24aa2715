"""A notification: who needs to look at what, and whether they have."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class NotificationKind(StrEnum):
    # to reviewers
    REVIEW_ASSIGNED = "review_assigned"
    REVIEW_REMINDER = "review_reminder"
    # to the fund manager who assigned the reviewer
    REVIEWER_RECUSED = "reviewer_recused"
    REVIEWS_COMPLETE = "reviews_complete"
    # to the Board
    BOARD_PACK_READY = "board_pack_ready"
    # to the applicant's staff
    INFORMATION_REQUESTED = "information_requested"
    SCREENING_OUTCOME = "screening_outcome"
    BOARD_DECISION = "board_decision"
    # a two-stage call's concept note: invited to send a full proposal, or declined
    CONCEPT_NOTE_OUTCOME = "concept_note_outcome"
    # monitoring: a recommendation made (app/monitoring/notices.py) or reopened (app/handoffs.py),
    # to the grantee's staff; the grantee's answer, to the fund's monitoring staff
    MONITORING_RECOMMENDATION = "monitoring_recommendation"
    MONITORING_ANSWER = "monitoring_answer"
    # to a colleague named in an internal note
    NOTE_MENTION = "note_mention"
    # hand-offs (app/handoffs.py): to whoever acts next, and receipts to the applicant
    VERIFICATION_REQUESTED = "verification_requested"
    VERIFICATION_OUTCOME = "verification_outcome"
    APPLICATION_SUBMITTED = "application_submitted"
    APPLICATION_RECEIVED = "application_received"
    AGREEMENT_SENT = "agreement_sent"
    AGREEMENT_ACCEPTED = "agreement_accepted"
    GRANT_UPDATED = "grant_updated"
    TRANCHE_PAID = "tranche_paid"
    # bank details: to the fund managers who may confirm a change, then to the organisation's
    # people (so a change nobody there asked for is noticed)
    BANK_CHANGE_PROPOSED = "bank_change_proposed"
    BANK_CHANGE_CONFIRMED = "bank_change_confirmed"
    BANK_CHANGE_REJECTED = "bank_change_rejected"
    # to finance: a restricted balance's period ends soon with money left (app/donations)
    RESTRICTED_MONEY_EXPIRING = "restricted_money_expiring"
    # for other areas (grants: reports due, tranches...): a generic "needs your attention"
    ATTENTION_NEEDED = "attention_needed"


class Notification(Model):
    """Says what needs attention and links to it; never carries case details (only a reference)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    # Only references (APP-00012, dates): the message is built from the kind when shown.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
