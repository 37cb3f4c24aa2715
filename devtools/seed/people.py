"""The demo people: the logins of DESIGN.md §8 and the two NGOs they own, loaded idempotently."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
)
from app.accounts.web.auth.demo_logins import DEMO_DOMAIN
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.extensions import db

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential, development only

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
