"""The demo ledger history is realistic, idempotent and passes `flask ledger verify`."""

from __future__ import annotations

from app.demo import load_demo_users
from app.demo_ledger import load_demo_ledger
from app.domain.ledger import chart
from app.domain.ledger.services import account_balance


def test_demo_history_loads_once_and_verifies(runner):
    load_demo_users()
    assert load_demo_ledger() == 22
    assert load_demo_ledger() == 0
    fund = account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE))
    # Gifts 1,250 less fees and a refund, pledges paid 150,000, commitments 56,500.
    assert fund.posted == (250_00 - 755 + 1_000_00 - 2_930 - 100_00) + 150_000_00 - 56_500_00
    pledged = account_balance(account=chart.account_by_key(chart.FUND_PLEDGED))
    assert pledged.posted == 50_000_00
    shelter = account_balance(account=chart.account_by_key(chart.grant_key(9001)))
    assert (shelter.posted, shelter.pending) == (22_600_00 - 10_000_00 - 1_300_00, -10_000_00)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "22 transfer(s)" in result.output and "1 checkpoint(s)" in result.output
