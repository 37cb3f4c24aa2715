"""Where money leaves the fund: award, schedule, agreement, tranche disbursements, closure.

One module per use case: ``award``, ``schedule``, ``agreement``, ``suspension``,
``disbursements``, ``closure``, ``reports`` and ``amendments``; ``common`` holds what they share
(the fund's day, settings, the lock order, the fund-staff check).

Every function takes the acting user explicitly, flushes, and leaves the commit to its caller.
Money operations lock the grant row and then the tranche row (always in that order), re-read
them, decide, and post to the ledger with deterministic transfer ids: a double click, a second
tab or a concurrent request waits for the first, then finds the work done and is refused.
"""

# The names below stay importable from this package as they were from the single module it
# replaced; callers may import them from their use-case module instead.
from app.grants.services.agreement import (
    accept_agreement,
    agreement_digest,
    agreement_terms,
    is_signatory,
    send_agreement,
)
from app.grants.services.award import (
    _next_grant_number,
    approved_decision,
    award_grant,
    default_start_date,
    grant_for_application,
    grant_reference,
)
from app.grants.services.closure import (
    ClosureStatement,
    DomainErrorLike,
    close_grant,
    closure_blockers,
    closure_statement,
    final_financial_report,
    record_grantee_refund,
    start_closure,
)
from app.grants.services.common import (
    MAX_TEXT,
    add_months,
    format_money,
    fund_available,
    grant_ledger_account,
    months_between,
    report_title,
    today,
    tranche_title,
)
from app.grants.services.disbursements import (
    approve_disbursement,
    cancel_tranche,
    confirm_disbursement,
    record_disbursement_failure,
    request_disbursement,
    send_disbursement,
    tranche_blockers,
)
from app.grants.services.schedule import (
    MAX_TRANCHES,
    ReportRow,
    TrancheRow,
    rebuild_schedule,
    scale_amounts,
    split_amount,
    tranche_shares,
    update_schedule,
)
from app.grants.services.suspension import resume_grant, suspend_grant

__all__ = [
    "MAX_TEXT",
    "MAX_TRANCHES",
    "ClosureStatement",
    "DomainErrorLike",
    "ReportRow",
    "TrancheRow",
    "_next_grant_number",
    "accept_agreement",
    "add_months",
    "agreement_digest",
    "agreement_terms",
    "approve_disbursement",
    "approved_decision",
    "award_grant",
    "cancel_tranche",
    "close_grant",
    "closure_blockers",
    "closure_statement",
    "confirm_disbursement",
    "default_start_date",
    "final_financial_report",
    "format_money",
    "fund_available",
    "grant_for_application",
    "grant_ledger_account",
    "grant_reference",
    "is_signatory",
    "months_between",
    "rebuild_schedule",
    "record_disbursement_failure",
    "record_grantee_refund",
    "report_title",
    "request_disbursement",
    "resume_grant",
    "scale_amounts",
    "send_agreement",
    "send_disbursement",
    "split_amount",
    "start_closure",
    "suspend_grant",
    "today",
    "tranche_blockers",
    "tranche_shares",
    "tranche_title",
    "update_schedule",
]
