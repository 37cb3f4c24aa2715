"""Restricted contributions: a contribution's restriction, its own ledger balance, and the rule
that funds a grant from the restricted balances matching it before unrestricted money."""
