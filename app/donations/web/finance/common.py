"""What several finance pages share: the list of donors to choose from."""

from __future__ import annotations

from sqlalchemy import select

from app.donations.models import Donor
from app.platform.extensions import db


def all_donors() -> list[Donor]:
    return list(db.session.execute(select(Donor).order_by(Donor.name)).scalars())
