"""Screening tables: each imported version of a sanctions list, its entries, and the possible
matches (hits) found among the organisations, with the fund manager's decision on each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class EntryKind(StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"


class HitStatus(StrEnum):
    OPEN = "open"  # a possible match no one has decided: blocks verification, award, payment
    CLEARED = "cleared"  # not the listed party (a reason is kept)
    CONFIRMED = "confirmed"  # the listed party: blocks for good


# The hits that hold an organisation: the services refuse, and the database's payment-hold
# triggers list the same statuses (migration 5d1f0e7a9c21; a test compares them).
HOLDING_HIT_STATUSES = (HitStatus.OPEN, HitStatus.CONFIRMED)


class ScreenedName(StrEnum):
    """Which of the organisation's names matched."""

    ORGANISATION = "organisation"
    LEGAL_NAME = "legal_name"
    BANK_ACCOUNT_HOLDER = "bank_account_holder"
    SIGNATORY = "signatory"  # an owner of its account, who signs its grant agreements
    DIRECTOR = "director"  # the person who heads it, from its due-diligence file


class SanctionsList(Model):
    """One imported version of the list: where it came from and the SHA-256 of the file."""

    __tablename__ = "sanctions_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(500))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    # The list's own dateGenerated attribute, as published.
    generated: Mapped[str] = mapped_column(sa.String(40), default="")
    entry_count: Mapped[int] = mapped_column()
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class SanctionEntry(Model):
    """A listed individual or entity, kept by the list's DATAID across versions."""

    __tablename__ = "sanctions_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    data_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    reference_number: Mapped[str] = mapped_column(sa.String(40), default="")
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "sanction_entry_kind"))
    name: Mapped[str] = mapped_column(sa.String(500))
    # [[name, quality], ...]: the primary name (quality ""), its original script, the aliases.
    names: Mapped[list[list[str]]] = mapped_column(sa.JSON, default=list)
    # Nationalities, dates of birth, listed on, list type, comments: shown to the decider.
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # SHA-256 of everything above as published: a cleared hit is raised again when it changes.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("sanctions_lists.id"), index=True)
    # Set when a later version of the list no longer has the entry.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ScreeningHit(Model):
    """A possible match between one of an organisation's names and a listed entry."""

    __tablename__ = "screening_hits"
    __table_args__ = (
        sa.Index("ix_screening_hits_organisation_entry", "organisation_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("sanctions_entries.id"), index=True)
    screened: Mapped[ScreenedName] = mapped_column(str_enum(ScreenedName, "screened_name"))
    screened_name: Mapped[str] = mapped_column(sa.String(300))
    matched_name: Mapped[str] = mapped_column(sa.String(500))
    # The alias's QUALITY ("Good", "Low", "a.k.a."...); "" when the primary name matched.
    alias_quality: Mapped[str] = mapped_column(sa.String(40), default="")
    score: Mapped[float] = mapped_column(sa.Float)
    # The entry's content_hash when the hit was raised.
    entry_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[HitStatus] = mapped_column(
        str_enum(HitStatus, "screening_hit_status"), default=HitStatus.OPEN, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    organisation: Mapped[Organisation] = relationship()
    entry: Mapped[SanctionEntry] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship()

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_quality)
