"""Grant rules that are handed their settings run with no app at all, on the values given."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from flask import has_app_context

from app.grants.models import GrantReport
from app.grants.services.reminders import reminder_owed
from app.grants.services.schedule import split_amount, tranche_shares
from app.platform.settings import Settings
from config.settings import Base, Testing

T = TypeVar("T")


def without_an_app(rule: Callable[[], T]) -> T:
    """``rule()`` in an empty context, where no Flask app (nor request) is pushed."""

    def run() -> T:
        assert not has_app_context()
        return rule()

    return contextvars.Context().run(run)


def settings_of(config: type[Base], **changed: Any) -> Settings:
    values = {name: getattr(config, name) for name in dir(config) if name.isupper()}
    return Settings.from_config({**values, **changed})


def test_a_grant_is_paid_in_the_tranches_the_settings_give_its_risk_rating():
    grants = settings_of(
        Testing,
        GRANT_TRANCHE_SHARES={
            "low": ["1"],
            "medium": ["0.5", "0.5"],
            "high": ["0.1", "0.2", "0.3", "0.4"],
        },
    ).grants

    shares = without_an_app(lambda: tranche_shares("high", by_rating=grants.tranche_shares))

    assert shares == [Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.4")]
    assert split_amount(10_000_00, shares) == [1_000_00, 2_000_00, 3_000_00, 4_000_00]


def test_a_grantee_is_reminded_the_days_given_before_a_report_falls_due_and_on_the_day():
    days = settings_of(Testing, GRANT_REMINDER_DAYS=7).grants.reminder_days
    report = GrantReport(due_date=date(2026, 3, 31), last_reminded_at=None)

    def owed(on: date) -> str | None:
        return without_an_app(lambda: reminder_owed(report, on=on, days=days))

    assert owed(date(2026, 3, 23)) is None
    assert owed(date(2026, 3, 24)) == "early"
    assert owed(date(2026, 3, 31)) == "due"
