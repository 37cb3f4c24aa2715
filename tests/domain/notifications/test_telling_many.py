"""Telling every member of staff of a hand-off costs the same round trips to the database for
two people or twenty: their roles and memberships are read together, and their e-mails written
to the outbox in one statement (each had cost a query or two per person, which made a tranche's
steps slower with every member of staff; bench/money.py)."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.permissions import Permission
from app.notifications import services as notifications
from app.notifications.models import NotificationKind
from app.outbox.models import OutboxMessage
from app.outbox.services import Email, queue_emails
from app.platform.extensions import db
from tests.applications_support import ngo_organisation
from tests.factories import user_with
from tests.statements import counting


def _tell_fund_managers(organisation_id: int) -> list[str]:
    """What a hand-off to the fund managers does, up to its commit; the statements it sent."""
    db.session.commit()
    db.session.expire_all()  # as in a new request: nothing loaded yet
    with counting() as statements:
        people = notifications.fund_staff_with(
            Permission.AWARD_GRANT, organisation_id=organisation_id
        )
        notifications.notify_all(
            people, kind=NotificationKind.TRANCHE_PAID, link="/grants", params={}
        )
        db.session.commit()
    return statements


def _outbox() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) or 0


def _round_trips(statements: list[str], dialect: str) -> int:
    """SQLite, in the process, takes the new notifications one INSERT each (no round trip);
    PostgreSQL takes them in one, as it does every other statement counted here."""
    if dialect == "sqlite":
        statements = [s for s in statements if not s.startswith("INSERT INTO notifications")]
    return len(statements)


def test_telling_twenty_fund_managers_costs_what_telling_two_does(app, dialect):
    organisation = ngo_organisation()
    for _ in range(2):
        user_with(Role.FUND_MANAGER)
    before = _outbox()
    two = _tell_fund_managers(organisation.id)
    assert _outbox() - before == 2
    for _ in range(18):
        user_with(Role.FUND_MANAGER)
    before = _outbox()
    twenty = _tell_fund_managers(organisation.id)

    assert _outbox() - before == 20, "each fund manager is e-mailed"
    assert _round_trips(twenty, dialect) == _round_trips(two, dialect), twenty


def test_a_member_of_the_organisation_is_not_told(app):
    organisation = ngo_organisation()
    insider = user_with(Role.FUND_MANAGER)
    outsider = user_with(Role.FUND_MANAGER)
    organisation.memberships[0].user = insider  # the fund manager now owns the organisation
    db.session.flush()
    told = notifications.fund_staff_with(Permission.AWARD_GRANT, organisation_id=organisation.id)
    assert outsider in told and insider not in told


def test_many_e_mails_are_queued_in_one_statement_and_a_key_once(app):
    emails = [Email(to=f"p{n}@example.org", subject="S", body="B") for n in range(5)]
    emails.append(Email(to="x@example.org", subject="S", body="B", key="once"))
    before = _outbox()
    with counting() as statements:
        keys = queue_emails(emails)
    assert len(statements) == 1
    assert len(keys) == 6 and keys[-1] == "once" and len(set(keys)) == 6
    queue_emails([Email(to="x@example.org", subject="Again", body="B", key="once")])
    assert _outbox() - before == 6
