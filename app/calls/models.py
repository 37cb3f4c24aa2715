"""Calls for proposals: the window and its caps, the timetable, eligibility and the scoring rubric.

Title and description are translatable: a JSON object ``{locale: text}`` (decision 0010), read
through ``Call.title_in(locale)`` which falls back to the fund's default language.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.db import Model, Money, TimestampMixin, UTCDateTime, str_enum

DEFAULT_LOCALE = "en"


class CallStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    DECIDED = "decided"


class WindowKind(StrEnum):
    """Grant windows of the Small Grants Programme; their caps are settings (GRANT_WINDOWS)."""

    EMERGENCY = "emergency"
    MEDIUM_TERM = "medium_term"


def pick_translation(texts: dict[str, str] | None, locale: str | None) -> str:
    """The text in ``locale``, else the default language, else any language given."""
    texts = texts or {}
    for candidate in (locale, (locale or "").split("_")[0], DEFAULT_LOCALE):
        if candidate and texts.get(candidate):
            return texts[candidate]
    return next((text for text in texts.values() if text), "")


class Call(TimestampMixin, Model):
    __tablename__ = "calls"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("max_amount > 0", name="max_amount_positive"),
        sa.CheckConstraint("max_duration_months > 0", name="max_duration_positive"),
        sa.CheckConstraint("envelope >= 0", name="envelope_not_negative"),
        # A two-stage call's concept notes are due between its opening and its full deadline.
        sa.CheckConstraint(
            "concept_closes_at IS NULL OR "
            "(concept_closes_at > opens_at AND concept_closes_at < closes_at)",
            name="concept_deadline_within_call",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    description: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    window: Mapped[WindowKind] = mapped_column(str_enum(WindowKind, "window_kind"))
    status: Mapped[CallStatus] = mapped_column(
        str_enum(CallStatus, "call_status"), default=CallStatus.DRAFT, index=True
    )
    # Stored in UTC; ``timezone`` is the zone the call is announced in (shown next to UTC).
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    # Set for a two-stage call (decision 0115): concept notes are due by it, and ``closes_at``
    # is then the deadline of the full proposals the fund invites.
    concept_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    currency: Mapped[str] = mapped_column(sa.String(3))
    envelope: Mapped[int] = mapped_column(Money())
    # Caps per application, copied from the window's defaults when the call is created.
    max_amount: Mapped[int] = mapped_column(Money())
    max_duration_months: Mapped[int] = mapped_column()
    # Lists of codes: ISO 3166-1 alpha-2 countries (empty = any), app.platform.categories values.
    eligible_countries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    situations: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    forms_of_exploitation: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # {document kind: how many an application needs}; organisation documents count too.
    required_documents: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="call",
        cascade="all, delete-orphan",
        order_by="RubricCriterion.position",
        lazy="selectin",
    )

    def title_in(self, locale: str | None) -> str:
        return pick_translation(self.title, locale)

    def description_in(self, locale: str | None) -> str:
        return pick_translation(self.description, locale)

    def is_open_at(self, moment: datetime) -> bool:
        """Accepting submissions: published, opened, and the deadline not yet reached."""
        return self.status == CallStatus.PUBLISHED and self.opens_at <= moment < self.closes_at

    @property
    def is_two_stage(self) -> bool:
        """A concept note first; a full proposal only when the fund invites it."""
        return self.concept_closes_at is not None

    def accepts_new_applications_at(self, moment: datetime) -> bool:
        """Open, and for a two-stage call its concept notes not yet due."""
        if not self.is_open_at(moment):
            return False
        return self.concept_closes_at is None or moment < self.concept_closes_at

    @property
    def is_editable(self) -> bool:
        """Drafts and published calls can be edited; a closed call records what was announced."""
        return self.status in (CallStatus.DRAFT, CallStatus.PUBLISHED)

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.reference}>"


class RubricCriterion(Model):
    """One scoring criterion; reviewers score 0 to 5 and the weights give the weighted mean."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "position"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))

    call: Mapped[Call] = relationship(back_populates="criteria")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "weight": str(self.weight)}
