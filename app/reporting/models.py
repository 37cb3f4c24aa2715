"""The open-data files the fund publishes, kept as made (app/reporting/publication.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, UTCDateTime


class PublishedFile(Model):
    """One published file (``iati-activities``, ``iati-organisation``): its latest content, when
    it was made, and the fingerprint of the data it was made from (a new one is made when that
    changes). Served as it is at a stable public address, with its digest as the ETag."""

    __tablename__ = "published_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str] = mapped_column(sa.String(80))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
