"""Signed-in readers of the ledger."""

from __future__ import annotations

import pytest

from app.accounts.models import Role, User
from tests.factories import user_with


@pytest.fixture
def finance_officer() -> User:
    return user_with(Role.FINANCE, full_name="Felix Finance")


@pytest.fixture(params=[Role.FINANCE, Role.AUDITOR], ids=["finance", "auditor"])
def reader(request: pytest.FixtureRequest, sign_in) -> User:
    """Each screen is checked as finance (who posts money) and as an auditor (who only reads)."""
    user = user_with(request.param)
    sign_in(user)
    return user
