"""Amendments: changes to an active grant the grantee asks for (a budget reallocation or a
no-cost extension), numbered, so the grant is versioned."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.grants.models.grants import Grant


class AmendmentKind(StrEnum):
    BUDGET_REALLOCATION = "budget_reallocation"
    NO_COST_EXTENSION = "no_cost_extension"


class AmendmentStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class Amendment(Model):
    """A change to an active grant asked by the grantee; numbered, so the grant is versioned."""

    __tablename__ = "grant_amendments"
    __table_args__ = (sa.UniqueConstraint("grant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    kind: Mapped[AmendmentKind] = mapped_column(str_enum(AmendmentKind, "amendment_kind"))
    status: Mapped[AmendmentStatus] = mapped_column(
        str_enum(AmendmentStatus, "amendment_status"),
        default=AmendmentStatus.REQUESTED,
        index=True,
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    # No-cost extension: the end date before and after.
    old_end_date: Mapped[date | None] = mapped_column(sa.Date)
    new_end_date: Mapped[date | None] = mapped_column(sa.Date)
    # Budget reallocation: the version it changes and {position: new amount}.
    base_budget_version: Mapped[int | None] = mapped_column()
    new_budget_version: Mapped[int | None] = mapped_column()
    proposed_amounts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(sa.Text, default="")

    grant: Mapped[Grant] = relationship(back_populates="amendments")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def proposed_amount(self, position: int) -> int | None:
        value = self.proposed_amounts.get(str(position))
        return None if value is None else int(value)
