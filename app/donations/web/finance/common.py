"""What several finance pages share: the list of donors to choose from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.donations.models import Donor
from app.platform.extensions import db


def all_donors() -> list[Any]:
    """Every donor's id, name and kind, by name, for a choice of donor: rows, not records (a
    fund has thousands of donors; loading each as a record took a quarter of the contributions
    page at 2,010)."""
    return list(db.session.execute(select(Donor.id, Donor.name, Donor.kind).order_by(Donor.name)))
