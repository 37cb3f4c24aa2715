"""Grants: the award, its agreement, tranches, grantee reports, amendments and closure refunds.

Amounts are integer minor units of the functional currency (grants are awarded only in it).
Every status column moves through app/grants/workflow.py, never by assignment elsewhere.

One module per concern: ``grants`` (the grant, its number in the year, its budget lines),
``tranches``, ``reports`` (with their figures, expenditure and attachments), ``amendments``
and ``refunds``. The names below are the package's interface (``from app.grants.models import
Grant``), and importing it maps every table, which the relationships between the modules need.
"""

from __future__ import annotations

from app.grants.models.amendments import Amendment, AmendmentKind, AmendmentStatus
from app.grants.models.grants import Grant, GrantBudgetLine, GrantSequence, GrantStatus
from app.grants.models.refunds import GrantRefund
from app.grants.models.reports import (
    END_OF_GRANT_REPORTS,
    EXPLOITATION_COLUMNS,
    NOT_RECORDED,
    REPORT_OUTSTANDING,
    FigureDimension,
    GrantReport,
    PeopleTable,
    ReportAttachment,
    ReportExpenditure,
    ReportFigure,
    ReportKind,
    ReportPeople,
    ReportStatus,
    sex_age_code,
)
from app.grants.models.tranches import TRANCHES_IN_FLIGHT, Tranche, TrancheStatus

__all__ = [
    "END_OF_GRANT_REPORTS",
    "EXPLOITATION_COLUMNS",
    "NOT_RECORDED",
    "REPORT_OUTSTANDING",
    "TRANCHES_IN_FLIGHT",
    "Amendment",
    "AmendmentKind",
    "AmendmentStatus",
    "FigureDimension",
    "Grant",
    "GrantBudgetLine",
    "GrantRefund",
    "GrantReport",
    "GrantSequence",
    "GrantStatus",
    "PeopleTable",
    "ReportAttachment",
    "ReportExpenditure",
    "ReportFigure",
    "ReportKind",
    "ReportPeople",
    "ReportStatus",
    "Tranche",
    "TrancheStatus",
    "sex_age_code",
]
