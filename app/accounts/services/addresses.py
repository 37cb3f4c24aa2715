"""Finding an account by its e-mail address, written the one way addresses are stored."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.platform.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        # Addresses are stored normalised, so the unique index on email serves this lookup.
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
