"""The database itself refuses one person holding both the admin and finance roles (decision
0002), whatever writes the roles: the services, the console, a script, a hand-typed SQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts import services as accounts
from app.accounts.models import Role, UserRole
from app.platform.errors import SegregationOfDuties
from app.platform.extensions import db
from tests.factories import user_with
from tests.real_commits import committed, committed_rows_removed, race


def _give(user_id: int, role: Role) -> None:
    db.session.execute(sa.insert(UserRole).values(user_id=user_id, role=role.value))
    db.session.flush()


def test_a_second_half_of_the_pair_is_refused_by_the_database():
    person = user_with(Role.ADMIN)
    refused = pytest.raises(sa.exc.IntegrityError, match="cannot hold both the admin and finance")
    with refused, db.session.begin_nested():
        _give(person.id, Role.FINANCE)
    _give(person.id, Role.AUDITOR)  # any other role is still fine
    db.session.refresh(person)
    assert person.roles == {Role.ADMIN, Role.AUDITOR}


def test_changing_a_role_into_the_other_half_is_refused_too():
    person = user_with(Role.FINANCE, Role.AUDITOR)
    refused = pytest.raises(sa.exc.IntegrityError, match="cannot hold both")
    with refused, db.session.begin_nested():
        db.session.execute(
            sa.update(UserRole)
            .where(UserRole.user_id == person.id, UserRole.role == Role.AUDITOR.value)
            .values(role=Role.ADMIN.value)
        )


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


@pytest.mark.postgres
@pytest.mark.real_commits
def test_two_administrators_giving_each_half_at_once_cannot_both_succeed(app, cleanup):
    person = committed(app, lambda: user_with(Role.AUDITOR).id)
    results = race(app, [lambda: _give(person, Role.ADMIN), lambda: _give(person, Role.FINANCE)])
    refused = [r for r in results if isinstance(r, sa.exc.IntegrityError)]
    assert len(refused) == 1, results

    def roles() -> set[str]:
        return set(db.session.scalars(sa.select(UserRole.role).where(UserRole.user_id == person)))

    held = committed(app, roles)
    assert len(held & {Role.ADMIN, Role.FINANCE}) == 1


def test_an_administrator_who_loses_the_race_gets_the_rule_not_a_crash():
    """The person's roles as this request read them say "auditor"; meanwhile (here: by hand)
    another administrator made them admin. The database refuses finance on top, and the
    service says why, as its own check would have."""
    admin = user_with(Role.ADMIN)
    person = user_with(Role.AUDITOR)
    assert person.roles == {Role.AUDITOR}
    _give(person.id, Role.ADMIN)  # not in person.role_grants as loaded
    with pytest.raises(SegregationOfDuties, match="admin and finance"), db.session.begin_nested():
        accounts.grant_role(actor=admin, user=person, role=Role.FINANCE)
