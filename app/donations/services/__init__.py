"""Donors, exchange rates, receipts, pledges and bank receipts: what finance and donors do.

One module per use case. Card gifts and Stripe's webhooks live in ``payments/``. Every money
movement is posted on the ledger with a deterministic transfer id, so a retried request never
moves money twice. The names below are kept importable from here for the callers that always
did; new code may import from the use-case module itself.
"""

from __future__ import annotations

from app.donations.services.allocations import allocate_bank_receipt
from app.donations.services.bank_receipts import (
    SIMILAR_RECEIPT_DAYS,
    PossibleDuplicate,
    record_bank_receipt,
    reference_key,
)
from app.donations.services.checks import MAX_AMOUNT_MINOR
from app.donations.services.donors import (
    DONOR_KIND_OF_ORGANISATION,
    create_donor,
    donor_for_organisation,
    donors_of,
    find_or_create_individual_donor,
    normalise_email,
)
from app.donations.services.exchange_rates import (
    RATE_MAX_DECIMALS,
    RATE_MAX_DIGITS,
    Conversion,
    convert_to_functional,
    functional_currency,
    import_exchange_rates,
    month_start,
    offered_currencies,
    parse_month,
    parse_rate,
    rate_in_force,
    set_exchange_rate,
)
from app.donations.services.pledges import (
    Instalment,
    LetterUpload,
    attach_pledge_letter,
    cancel_pledge,
    confirm_pledge,
    get_pledge,
    make_pledge,
    write_off_pledge,
)
from app.donations.services.receipts import (
    _next_receipt_number,  # the tests of the receipt sequence draw numbers directly
    issue_receipt,
    mark_receipt_emailed,
    receipt_for,
)

__all__ = [
    "DONOR_KIND_OF_ORGANISATION",
    "MAX_AMOUNT_MINOR",
    "RATE_MAX_DECIMALS",
    "RATE_MAX_DIGITS",
    "SIMILAR_RECEIPT_DAYS",
    "Conversion",
    "Instalment",
    "LetterUpload",
    "PossibleDuplicate",
    "_next_receipt_number",
    "allocate_bank_receipt",
    "attach_pledge_letter",
    "cancel_pledge",
    "confirm_pledge",
    "convert_to_functional",
    "create_donor",
    "donor_for_organisation",
    "donors_of",
    "find_or_create_individual_donor",
    "functional_currency",
    "get_pledge",
    "import_exchange_rates",
    "issue_receipt",
    "make_pledge",
    "mark_receipt_emailed",
    "month_start",
    "normalise_email",
    "offered_currencies",
    "parse_month",
    "parse_rate",
    "rate_in_force",
    "receipt_for",
    "record_bank_receipt",
    "reference_key",
    "set_exchange_rate",
    "write_off_pledge",
]
