"""An internal note on an organisation, application, grant or pledge, and whom it mentions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import APPEND_ONLY, Model, UTCDateTime, str_enum, utcnow


class NoteSubject(StrEnum):
    """What a note may be about: the records staff follow case by case."""

    ORGANISATION = "organisation"
    APPLICATION = "application"
    GRANT = "grant"
    PLEDGE = "pledge"


class InternalNote(Model):
    """One note, as written. Notes are append-only: a mistake is corrected by a later note, so
    the thread stays what colleagues (and the auditor) actually read when they acted on it, and
    nobody can quietly rewrite what they told a colleague. The database refuses UPDATE and DELETE.
    """

    __tablename__ = "internal_notes"
    __table_args__ = (
        sa.Index("ix_internal_notes_subject", "subject_type", "subject_id"),
        APPEND_ONLY,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key to the subject: one table serves four kinds of record, as the audit log does.
    subject_type: Mapped[NoteSubject] = mapped_column(str_enum(NoteSubject, "note_subject"))
    subject_id: Mapped[int] = mapped_column()
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    body: Mapped[str] = mapped_column(sa.Text)
    # Ids of the staff the note mentions (each was told), in the order they were found.
    mentioned_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)

    author: Mapped[User] = relationship()
