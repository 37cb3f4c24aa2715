"""The fund's double-entry ledger: accounts, append-only transfers, balances and seals."""
