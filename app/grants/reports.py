"""Grantee reports and amendments, as callers imported them before the use-case modules.

They live in ``app.grants.services.reports`` and ``app.grants.services.amendments``;
callers may import from there instead.
"""

from app.grants.services.amendments import (
    approve_amendment,
    reject_amendment,
    request_amendment,
)
from app.grants.services.reports import (
    FIGURE_CODES,
    MAX_COUNT,
    MAX_TEXT,
    REPORTING_STATES,
    ReportData,
    VarianceLine,
    accept_report,
    attach_report_file,
    can_edit_report,
    expenditure_variance,
    remind_report,
    remove_report_file,
    report_problems,
    reports_needing_reminder,
    request_report_changes,
    save_report,
    sex_age_code,
    submit_report,
)

__all__ = [
    "FIGURE_CODES",
    "MAX_COUNT",
    "MAX_TEXT",
    "REPORTING_STATES",
    "ReportData",
    "VarianceLine",
    "accept_report",
    "approve_amendment",
    "attach_report_file",
    "can_edit_report",
    "expenditure_variance",
    "reject_amendment",
    "remind_report",
    "remove_report_file",
    "report_problems",
    "reports_needing_reminder",
    "request_amendment",
    "request_report_changes",
    "save_report",
    "sex_age_code",
    "submit_report",
]
