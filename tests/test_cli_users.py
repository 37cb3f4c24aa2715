"""`flask users create` and `flask users list`: the console keeps the web's account rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.platform.extensions import db

PASSWORD = "a-long-enough-passphrase"


def _create(runner, *args: str):
    return runner.invoke(
        args=["users", "create", *args, "--password", PASSWORD], catch_exceptions=False
    )


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_the_first_administrator_is_created_confirmed_and_audited(runner):
    result = _create(
        runner, "--email", " Ada@Example.org ", "--name", "Ada Admin", "--role", "admin"
    )

    assert result.exit_code == 0, result.output
    assert "Created ada@example.org with roles: admin" in result.output
    user = accounts.find_user_by_email("ada@example.org")
    assert user.roles == {Role.ADMIN}
    assert user.email_confirmed_at is not None
    assert accounts.verify_password(user, PASSWORD)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "user.created_from_console")
    ).scalar_one()
    assert event.changes == {"roles": [None, ["admin"]]}
    listed = runner.invoke(args=["users", "list"])
    assert "ada@example.org" in listed.output and "admin" in listed.output


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--email", "not-an-address", "--name", "X"], "is not an e-mail address"),
        (["--email", "x@example.org", "--name", "  "], "Give the person's name."),
        (
            ["--email", "x@example.org", "--name", "X", "--role", "admin", "--role", "finance"],
            "One person cannot hold both the admin and finance roles.",
        ),
    ],
)
def test_what_the_web_refuses_the_console_refuses_too(runner, args, reason):
    before = _users()
    result = _create(runner, *args)
    assert result.exit_code == 1
    assert reason in result.output
    assert _users() == before


def test_an_address_already_in_use_is_refused(runner):
    assert _create(runner, "--email", "ada@example.org", "--name", "Ada").exit_code == 0
    again = _create(runner, "--email", "ADA@example.org", "--name", "Other Ada")
    assert again.exit_code == 1
    assert "already has an account" in again.output
