"""The ledger screens: chart of accounts, statements, transfers, CSV export and seals."""
