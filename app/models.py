"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from app.domain.accounts.models import (  # noqa: F401
    Membership,
    Organisation,
    RecoveryCode,
    User,
    UserRole,
)
from app.domain.audit.models import AuditEvent  # noqa: F401
