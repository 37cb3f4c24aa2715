"""Factory callables for test data (factory_boy), flushed into the test's session."""

from __future__ import annotations

from typing import Any

import factory
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
from app.platform.db import utcnow
from app.platform.extensions import db

PASSWORD = "correct-horse-battery"
# Hashing is deliberately slow; hash the shared test password once.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password_hash = _PASSWORD_HASH
    email_confirmed_at = factory.LazyFunction(utcnow)
    is_active = True

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or ():
            self.role_grants.append(UserRole(role=Role(role)))
        if create:
            db.session.flush()


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.NGO
    country = "KE"


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.OWNER


def user_with(*roles: Role, **kwargs: Any) -> User:
    """A confirmed, active user holding ``roles``."""
    return UserFactory(roles=list(roles), **kwargs)
