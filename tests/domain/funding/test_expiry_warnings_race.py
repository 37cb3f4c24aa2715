"""Two runs of the expiry warnings at the same moment, on PostgreSQL with real connections:
finance is warned once (the unique key on restriction and threshold decides; the second run's
insert waits for the first and moves on)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app.donations.services.restriction_warnings import warn_expiring_restrictions
from app.donations.services.restrictions import RestrictionTerms
from app.funding.models import RestrictionWarning
from app.notifications.models import Notification, NotificationKind
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user
from tests.funding_support import donor, paid_pledge
from tests.grants_support import USD
from tests.real_commits import committed, committed_rows_removed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


@pytest.fixture
def cleanup(app: Flask) -> Iterator[None]:
    with committed_rows_removed(app):
        yield


def test_two_runs_at_once_warn_once(app, cleanup):
    def setup() -> tuple[int, int]:
        officer = finance_user()
        ends = utcnow().date() + timedelta(days=90)
        _pledge, restriction = paid_pledge(
            donor("Racing friends"), 1_000 * USD, terms=RestrictionTerms(ends_on=ends)
        )
        assert restriction is not None
        return officer.id, restriction.id

    officer_id, restriction_id = committed(app, setup)

    results = race(app, [warn_expiring_restrictions, warn_expiring_restrictions])
    assert sorted(results) == [0, 1], results

    def counted() -> tuple[int, int]:
        warnings = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RestrictionWarning)
            .where(RestrictionWarning.restriction_id == restriction_id)
        )
        notices = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == officer_id,
                Notification.kind == NotificationKind.RESTRICTED_MONEY_EXPIRING,
            )
        )
        return int(warnings or 0), int(notices or 0)

    assert committed(app, counted) == (1, 1)
