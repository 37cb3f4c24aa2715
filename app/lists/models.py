"""A saved view: one person's named query string (sort and filters) of one staff list."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, UTCDateTime, utcnow


class SavedView(Model):
    """Private to its owner: every read and write is by (user, id), never by id alone."""

    __tablename__ = "saved_views"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "list_name", "name", name="uq_saved_views_user_list_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    list_name: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(80))
    query_string: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
