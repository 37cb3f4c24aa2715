"""Account models: users with staff roles, organisations and their memberships."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.db import Model, TimestampMixin, UTCDateTime, str_enum, utcnow


class Role(StrEnum):
    DONOR = "donor"
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    BOARD = "board"
    FUND_MANAGER = "fund_manager"
    FINANCE = "finance"
    AUDITOR = "auditor"
    ADMIN = "admin"


# Roles held by the fund's own people (2FA can be made mandatory for them).
STAFF_ROLES = frozenset(
    {Role.REVIEWER, Role.BOARD, Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR, Role.ADMIN}
)
# Roles a person may give themselves by registering.
SELF_SERVICE_ROLES = frozenset({Role.DONOR, Role.APPLICANT})


class OrganisationKind(StrEnum):
    NGO = "ngo"
    MEMBER_STATE = "member_state"
    GOVERNMENT = "government"
    INTERGOVERNMENTAL = "intergovernmental"
    COMPANY = "company"
    FOUNDATION = "foundation"
    INDIVIDUAL = "individual"


class MembershipRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class User(TimestampMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # None until an invited user chooses a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Time step of the last accepted code: a code is accepted once (no replay within its window).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Bumped on sign-out, password change, deactivation, role revoked or 2FA change: invalidates
    # every open session and remember-me cookie (decision 0001).
    session_version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    # The account an OAuth client's tokens act through (app/oauth): it never signs in, is
    # never told anything, and needs no second factor (its secret is the only credential).
    is_program: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="UserRole.user_id",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's protocol, written out so the domain does not depend on the web layer.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])


class RecoveryCode(Model):
    """One-time codes for signing in when the authenticator is lost; only hashes are kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class Organisation(TimestampMixin, Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    # ISO 3166-1 alpha-2 country of registration, when it has one.
    country: Mapped[str | None] = mapped_column(sa.String(2))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


# Possible duplicates are NGOs with the same contact e-mail whatever its case
# (app/applications/services/duplicates.py): one index lookup per organisation, not a scan.
sa.Index("ix_organisations_contact_email_lower", sa.func.lower(Organisation.contact_email))


class Membership(Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        str_enum(MembershipRole, "membership_role"), default=MembershipRole.MEMBER
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")
