"""Racing awards on PostgreSQL, with real connections: a restricted balance is never
over-committed, it is used before unrestricted money, and the ledger stays consistent."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from app.accounts.models import User
from app.applications.models import Application
from app.donations.services.restrictions import RestrictionTerms
from app.grants import services as grants
from app.ledger.verify import verify_ledger
from app.platform.errors import Conflict
from app.platform.extensions import db
from tests.funding_support import donor, paid_pledge, restricted_balance
from tests.grants_support import USD, approved_application, fund, manager
from tests.real_commits import committed, committed_rows_removed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]

COMMITMENT = 5_650 * USD  # 5,000 + 13 % support cost


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


def test_racing_awards_never_over_commit_a_restricted_balance(app, cleanup):
    def setup() -> tuple[list[int], int]:
        _pledge, restriction = paid_pledge(
            donor("Tuvalu friends"),
            2 * COMMITMENT + 100 * USD,
            terms=RestrictionTerms(country="TV"),
        )
        assert restriction is not None
        room = grants.fund_available()
        target = COMMITMENT + 100 * USD
        assert room <= target, "the fund holds more than this test expects"
        fund(target - room)
        applications = []
        for _ in range(4):
            application = approved_application(amount=5_000 * USD)
            application.countries = ["TV"]
            applications.append(application.id)
        db.session.flush()
        return applications, restriction.id

    applications, restriction_id = committed(app, setup)
    fm_id = committed(app, lambda: manager().id)

    def award_it(application_id: int) -> Callable[[], int]:
        def attempt() -> int:
            application = db.session.get(Application, application_id)
            actor = db.session.get(User, fm_id)
            assert application is not None and actor is not None
            return grants.award_grant(actor=actor, application=application).id

        return attempt

    results = race(app, [award_it(a) for a in applications])
    awarded = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(awarded) == 3, results
    assert len(refused) == 1 and "cannot cover" in refused[0].message

    def balances() -> tuple[int, int]:
        from app.funding.models import Restriction

        restriction = db.session.get(Restriction, restriction_id)
        assert restriction is not None
        return restricted_balance(restriction), grants.fund_available()

    # Restricted money first, whatever the order: it is all used, the pool keeps the rest.
    assert committed(app, balances) == (0, 200 * USD)
    assert committed(app, verify_ledger).ok
