"""Read-only queries behind the ledger screens, one module per family of pages: the chart of
accounts, statements, one transfer, the CSV export and the seals. Every query is bounded.

Nothing is re-exported here: pages import the module of the page family they show."""
