"""Restricted money that may soon no longer be used: finance is warned ahead (6 months, then 1
month), in the app and by e-mail, once per threshold, never when the balance is spent
(app/donations/services/restriction_warnings.py; decision 0106)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.donations.services.restriction_warnings import due_threshold, warn_expiring_restrictions
from app.donations.services.restrictions import RestrictionTerms
from app.funding.models import RestrictionWarning
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import PENDING_EMAILS
from app.notifications.web.mail import compose
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user
from tests.funding_support import donor, paid_pledge, restricted_balance
from tests.grants_support import USD, approved_application, award

TODAY = date(2026, 12, 7)


def _warnings(officer_id: int) -> list[Notification]:
    return list(
        db.session.execute(
            sa.select(Notification).where(
                Notification.user_id == officer_id,
                Notification.kind == NotificationKind.RESTRICTED_MONEY_EXPIRING,
            )
        ).scalars()
    )


def _ending_in(days: int, amount: int = 3_000 * USD, name: str = "Norway"):
    ends = utcnow().date() + timedelta(days=days)
    pledge, restriction = paid_pledge(donor(name), amount, terms=RestrictionTerms(ends_on=ends))
    assert restriction is not None
    return pledge, restriction


def test_the_threshold_due_is_the_narrowest_window_holding_the_end():
    assert due_threshold(date(2027, 7, 1), TODAY) is None  # more than 6 months ahead
    assert due_threshold(date(2027, 6, 7), TODAY) == 6
    assert due_threshold(date(2027, 1, 7), TODAY) == 1
    assert due_threshold(TODAY, TODAY) == 1
    assert due_threshold(date(2026, 12, 6), TODAY) is None  # the period is over


def test_finance_is_warned_once_not_twice():
    officer = finance_user()
    pledge, restriction = _ending_in(100)

    assert warn_expiring_restrictions() == 1
    assert warn_expiring_restrictions() == 0

    [notice] = _warnings(officer.id)
    assert notice.params["reference"] == str(pledge.id)
    assert notice.params["amount"] == 3_000 * USD
    assert notice.link == "/donations/restricted"
    [kept] = db.session.execute(sa.select(RestrictionWarning)).scalars()
    assert (kept.restriction_id, kept.months, kept.amount) == (restriction.id, 6, 3_000 * USD)
    assert db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "restriction.expiry_warned")
    ).scalar_one()


def test_the_e_mail_says_the_pledge_and_the_amount_and_no_donor():
    officer = finance_user()
    pledge, _restriction = _ending_in(100, amount=2_500 * USD, name="Ruritania")
    db.session.info.pop(PENDING_EMAILS, None)

    warn_expiring_restrictions()

    [mail] = [m for m in db.session.info[PENDING_EMAILS] if m.to == officer.email]
    subject, body = compose(mail)
    assert "Restricted money" in subject
    assert f"pledge no. {pledge.id}" in body and "2,500.00" in body
    assert "Ruritania" not in body and "Ruritania" not in subject


def test_warned_again_at_one_month_and_not_after():
    officer = finance_user()
    _pledge, restriction = _ending_in(20)
    today = utcnow().date()

    # 6 months before (the job ran then), then within the month: a second warning.
    assert warn_expiring_restrictions(today=today - timedelta(days=120)) == 1
    assert warn_expiring_restrictions(today=today) == 1
    assert warn_expiring_restrictions(today=today + timedelta(days=1)) == 0
    assert len(_warnings(officer.id)) == 2
    months = db.session.execute(
        sa.select(RestrictionWarning.months).where(
            RestrictionWarning.restriction_id == restriction.id
        )
    ).scalars()
    assert sorted(months) == [1, 6]


def test_found_within_the_month_first_it_is_warned_once():
    officer = finance_user()
    _ending_in(10)

    assert warn_expiring_restrictions() == 1
    assert warn_expiring_restrictions() == 0
    assert len(_warnings(officer.id)) == 1


def test_not_warned_when_the_balance_is_used_up():
    officer = finance_user()
    _pledge, restriction = _ending_in(100, amount=1_130 * USD)
    award(approved_application(amount=1_000 * USD))  # 1,000 + 130 support cost
    assert restricted_balance(restriction) == 0

    assert warn_expiring_restrictions() == 0
    assert _warnings(officer.id) == []


def test_not_warned_far_ahead_nor_once_the_period_is_over():
    finance_user()
    _ending_in(400)
    _ending_in(-1, name="Japan")

    assert warn_expiring_restrictions() == 0
