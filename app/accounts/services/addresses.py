"""Finding an account by its e-mail address, written the one way addresses are stored."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.platform.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


# A closed account keeps its row (the ledger, receipts and audit trail point at it) under an
# address in a reserved domain (RFC 2606) where nothing is delivered and nobody can register.
CLOSED_ACCOUNT_DOMAIN = "closed.invalid"


def closed_address(user: User) -> str:
    return f"closed-{user.id}@{CLOSED_ACCOUNT_DOMAIN}"


def is_closed(user: User) -> bool:
    """Closed for good (app/privacy): never reactivated, never signed in to again."""
    return user.email == closed_address(user)


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        # Addresses are stored normalised, so the unique index on email serves this lookup.
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
