"""Read-only views of contributions: the finance list with totals, the donor portal, the public
recognition page. Totals are sums of stored integers, so they agree with the ledger to the cent.

One module per page family: ``contributions`` (the finance list and its export), ``totals``
(the sums under it), ``banking`` (bank receipts and the pledges they can pay), ``portal`` (a
donor's own page) and ``recognition`` (the public page). Import from the module itself.
"""
