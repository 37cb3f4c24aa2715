"""Reporting: dashboards, the period statement, the annual report, exports, IATI, transparency.

Read-only. Balances come from the ledger accounts' maintained totals; the period statement
sums the period's transfers in one grouped query; every other figure is one aggregate query.
"""
