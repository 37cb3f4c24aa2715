"""Who gives: donors (a person or an organisation), and the kinds a donor can be."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.platform.db import Model, TimestampMixin, str_enum


class DonorKind(StrEnum):
    MEMBER_STATE = "member_state"
    GOVERNMENT = "government"
    INTERGOVERNMENTAL = "intergovernmental"
    COMPANY = "company"
    FOUNDATION = "foundation"
    INDIVIDUAL = "individual"


# Governments are listed by name on the public page whatever they chose (UN practice).
GOVERNMENT_KINDS = frozenset({DonorKind.MEMBER_STATE, DonorKind.GOVERNMENT})


class Donor(TimestampMixin, Model):
    """Who gives: a person (with or without an account) or an organisation (a Member State...)."""

    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DonorKind] = mapped_column(str_enum(DonorKind, "donor_kind"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    # Normalised (lower case); receipts go here.
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # One donor record per organisation: its pledges and payments add up in one place.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), unique=True
    )
    # Opt-in: listed by name on the public page (governments are listed anyway).
    public_recognition: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS

    def __repr__(self) -> str:
        return f"<Donor {self.id} {self.name}>"
