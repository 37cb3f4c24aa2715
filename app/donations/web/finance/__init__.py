"""Finance and fund-manager screens, one module per page family: ``contributions`` (the list
with totals and CSV), ``pledges`` (to record, confirm, write off), ``bank_receipts`` (to record
and match) and ``exchange_rates``. Importing them adds their routes to the donations blueprint
(app/donations/web/routes.py does)."""
