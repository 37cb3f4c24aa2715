"""The ledger's use cases, one module each: posting (the only way money moves), balances,
statements and transfers (reading what was posted), and the parts of posting per database.

Nothing is re-exported here: callers import from the use case's module, so each name has one
home and importing the package does not load the PostgreSQL posting machinery."""
