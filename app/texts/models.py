"""A version of a text staff can edit (an e-mail's subject and body, a letter's paragraph)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.platform.db import Model, UTCDateTime, utcnow


class TextVersion(Model):
    """One saved version of one text in one language. A save never overwrites: it adds the next
    version and puts it in force (``is_active``); restoring an old one adds a copy of it. What
    was sent names the version it used (``outbox_messages.text_version_id``)."""

    __tablename__ = "text_versions"
    __table_args__ = (
        # Two people saving at once both try version n + 1: the second is refused here.
        sa.UniqueConstraint("key", "locale", "version", name="uq_text_versions_key_locale_version"),
        sa.Index("ix_text_versions_in_force", "key", "locale", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A key of app/texts/registry.py (e.g. "email.board_decision"): no foreign key, the list of
    # texts is code.
    key: Mapped[str] = mapped_column(sa.String(100))
    locale: Mapped[str] = mapped_column(sa.String(16))
    version: Mapped[int] = mapped_column()
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The version this one copies when it was made by "restore this version".
    restored_from: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()
