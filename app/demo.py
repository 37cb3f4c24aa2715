"""Demo data for development and the demo: the logins of DESIGN.md §8, loaded idempotently.

Other areas append their own loaders to ``DEMO_LOADERS``; each must be safe to run twice.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.db import utcnow
from app.domain.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
)
from app.domain.audit.services import record_event
from app.extensions import db

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential, development only
DEMO_DOMAIN = "demo.test"

# login name → (full name, roles)
DEMO_USERS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "admin": ("Ada Admin", (Role.ADMIN,)),
    "fund_manager": ("Fatima Manager", (Role.FUND_MANAGER,)),
    "finance": ("Felix Finance", (Role.FINANCE,)),
    "finance2": ("Farah Finance", (Role.FINANCE,)),
    "reviewer": ("Rosa Reviewer", (Role.REVIEWER,)),
    "reviewer2": ("Ravi Reviewer", (Role.REVIEWER,)),
    "board": ("Bongani Board", (Role.BOARD,)),
    "auditor": ("Aiko Auditor", (Role.AUDITOR,)),
    "ngo": ("Nadia NGO", (Role.APPLICANT,)),
    "ngo2": ("Nikolai NGO", (Role.APPLICANT,)),
    "donor": ("Diego Donor", (Role.DONOR,)),
}

DEMO_ORGANISATIONS = {
    "ngo": ("Safe Haven Initiative", OrganisationKind.NGO, "NG"),
    "ngo2": ("Freedom Path Association", OrganisationKind.NGO, "PH"),
}


def demo_email(login: str) -> str:
    return f"{login}@{DEMO_DOMAIN}"


def demo_login_refused(email: str) -> bool:
    """Demo logins never work in production, even if their rows were loaded there: their
    password is published in the README."""
    production = current_app.config.get("APP_ENV") == "production"
    return production and email.strip().lower().endswith("@" + DEMO_DOMAIN)


def load_demo_users() -> int:
    """Create the demo users and their organisations; returns how many users were new."""
    password_hash = generate_password_hash(DEMO_PASSWORD)
    created = 0
    for login, (full_name, roles) in DEMO_USERS.items():
        email = demo_email(login)
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is not None:
            continue
        user = User(
            email=email,
            full_name=full_name,
            password_hash=password_hash,
            email_confirmed_at=utcnow(),
            is_active=True,
        )
        user.role_grants.extend(UserRole(role=role) for role in roles)
        db.session.add(user)
        db.session.flush()
        if login in DEMO_ORGANISATIONS:
            name, kind, country = DEMO_ORGANISATIONS[login]
            organisation = Organisation(name=name, kind=kind, country=country, contact_email=email)
            organisation.memberships.append(Membership(user=user, role=MembershipRole.OWNER))
            db.session.add(organisation)
        record_event(
            actor=None, action="demo.user_created", subject=user, summary=f"demo user {email}"
        )
        created += 1
    db.session.flush()
    return created


DEMO_LOADERS: list[Callable[[], object]] = [load_demo_users]


def _load_calls_and_applications() -> object:
    # Imported here: app.demo_ngo builds on this module's users.
    from app.demo_ngo import load_demo_calls_and_applications

    return load_demo_calls_and_applications()


DEMO_LOADERS.append(_load_calls_and_applications)


def _load_donations() -> object:
    # Imported here: the demo contributions need the demo finance officer and donor.
    from app.demo_donations import load_demo_donations

    return load_demo_donations()


DEMO_LOADERS.append(_load_donations)


def _load_reviews() -> object:
    # Imported here: the selection demo needs the NGO demo's calls and applications, and the
    # demo reviewers, Board member and fund manager.
    from app.demo_reviews import load_demo_reviews

    return load_demo_reviews()


DEMO_LOADERS.append(_load_reviews)


def _load_grants() -> object:
    # Imported here: the demo grants need the NGOs, the closed call, the fund's staff and
    # money in the fund; they load last, after the selection (reviews) demo.
    from app.demo_grants import load_demo_grants

    return load_demo_grants()


DEMO_LOADERS.append(_load_grants)


def _seal_ledger() -> object:
    # Last: seals the money movements every loader above has posted.
    from app.demo_ledger import load_demo_ledger

    return load_demo_ledger()


DEMO_LOADERS.append(_seal_ledger)


def load_demo() -> None:
    for loader in DEMO_LOADERS:
        loader()
