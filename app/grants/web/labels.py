"""Translated labels for the grant codes (statuses, kinds), shown by ``grant_label``."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from babel.dates import format_date
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.grants.models import (
    AmendmentKind,
    AmendmentStatus,
    FigureDimension,
    GrantReport,
    GrantStatus,
    ReportKind,
    ReportStatus,
    TrancheStatus,
)
from app.web.labels import label

LABELS: dict[StrEnum, LazyString] = {
    GrantStatus.AWARDED: _l("Awarded, agreement being prepared"),
    GrantStatus.AGREEMENT_SENT: _l("Agreement sent, awaiting signature"),
    GrantStatus.ACTIVE: _l("Active"),
    GrantStatus.SUSPENDED: _l("Suspended"),
    GrantStatus.CLOSING: _l("Closing"),
    GrantStatus.CLOSED: _l("Closed"),
    TrancheStatus.SCHEDULED: _l("Scheduled"),
    TrancheStatus.REQUESTED: _l("Requested, awaiting approval"),
    TrancheStatus.APPROVED: _l("Approved, ready to send"),
    TrancheStatus.SENT: _l("Sent, awaiting bank confirmation"),
    TrancheStatus.PAID: _l("Paid"),
    TrancheStatus.FAILED: _l("Payment failed"),
    TrancheStatus.CANCELLED: _l("Cancelled"),
    ReportKind.PROGRESS: _l("Progress report"),
    ReportKind.FINANCIAL: _l("Final financial report"),
    ReportKind.FINAL: _l("Final narrative report"),
    ReportStatus.DUE: _l("Due"),
    ReportStatus.SUBMITTED: _l("Submitted, awaiting review"),
    ReportStatus.ACCEPTED: _l("Accepted"),
    ReportStatus.CHANGES_REQUESTED: _l("Changes requested"),
    AmendmentKind.BUDGET_REALLOCATION: _l("Budget reallocation"),
    AmendmentKind.NO_COST_EXTENSION: _l("No-cost extension"),
    AmendmentStatus.REQUESTED: _l("Awaiting decision"),
    AmendmentStatus.APPROVED: _l("Approved"),
    AmendmentStatus.REJECTED: _l("Refused"),
    FigureDimension.SEX_AGE: _l("By sex and age"),
    FigureDimension.EXPLOITATION: _l("By form of exploitation"),
    FigureDimension.ASSISTANCE: _l("By type of assistance"),
}
_BY_TYPE = {(type(member), member.value): text for member, text in LABELS.items()}

# Bootstrap badge colours by state: what needs someone's attention stands out.
BADGES: dict[StrEnum, str] = {
    GrantStatus.AWARDED: "text-bg-info",
    GrantStatus.AGREEMENT_SENT: "text-bg-info",
    GrantStatus.ACTIVE: "text-bg-success",
    GrantStatus.SUSPENDED: "text-bg-warning",
    GrantStatus.CLOSING: "text-bg-secondary",
    GrantStatus.CLOSED: "text-bg-light border",
    TrancheStatus.REQUESTED: "text-bg-warning",
    TrancheStatus.APPROVED: "text-bg-info",
    TrancheStatus.SENT: "text-bg-primary",
    TrancheStatus.PAID: "text-bg-success",
    TrancheStatus.FAILED: "text-bg-danger",
    TrancheStatus.CANCELLED: "text-bg-light border",
    ReportStatus.SUBMITTED: "text-bg-warning",
    ReportStatus.ACCEPTED: "text-bg-success",
    ReportStatus.CHANGES_REQUESTED: "text-bg-danger",
    AmendmentStatus.REQUESTED: "text-bg-warning",
    AmendmentStatus.APPROVED: "text-bg-success",
    AmendmentStatus.REJECTED: "text-bg-light border",
}


def grant_label(value: Any, vocabulary: type[StrEnum] | None = None) -> str:
    """The label of a grant code; shared codes (budget categories...) fall back to app labels."""
    if isinstance(value, StrEnum):
        text = _BY_TYPE.get((type(value), value.value))
    elif vocabulary is not None:
        text = _BY_TYPE.get((vocabulary, str(value)))
    else:
        text = None
    return str(text) if text is not None else label(value, vocabulary)


def grant_badge(value: StrEnum) -> str:
    return BADGES.get(value, "text-bg-secondary")


def grant_day(day: date | None) -> str:
    """A calendar date (due dates, tranche dates) in the reader's language."""
    if day is None:
        return "—"
    return str(format_date(day, "medium", locale=get_locale() or "en"))


def report_name(report: GrantReport) -> str:
    """ "Progress report 2", "Final financial report", in the reader's language."""
    if report.kind == ReportKind.PROGRESS:
        return _("Progress report %(number)s", number=report.number)
    return grant_label(report.kind)
