"""Reminding many grantees of overdue reports at once (app/web/bulk.py): ticked on the grant
reports list, previewed, confirmed once; each report reminded by ``remind_overdue_report`` in
its own savepoint, audited on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from app.accounts.permissions import Permission
from app.grants.models import GrantReport
from app.grants.services.reminders import remind_overdue_report
from app.grants.web.blueprint import bp
from app.grants.web.labels import report_name
from app.platform.extensions import db
from app.web.access import requires
from app.web.bulk import BulkAction, bulk_confirm, bulk_page


class RemindForm(FlaskForm):
    """Nothing to choose: the reminder is the daily job's e-mail."""


def _reports(ids: Sequence[int]) -> Mapping[int, GrantReport]:
    """The reports by id (fund staff see every grant's reports; whether one may be reminded is
    the service's to say)."""
    found = db.session.execute(sa.select(GrantReport).where(GrantReport.id.in_(ids))).scalars()
    return {r.id: r for r in found}


def _label(report: GrantReport) -> str:
    return f"{report.grant.reference} — {report.grant.organisation.name}: {report_name(report)}"


def _remind(report: GrantReport, _form: Any) -> None:
    remind_overdue_report(actor=current_user, report=report)


REMIND_MANY: BulkAction[GrantReport] = BulkAction(
    title=_l("Remind grantees of overdue reports"),
    choose_endpoint="grants.bulk_remind",
    confirm_endpoint="grants.bulk_remind_confirm",
    back=lambda: url_for("grants.reports", state="overdue"),
    form=RemindForm,
    load=_reports,
    label=_label,
    link=lambda r: url_for("grants.report", report_id=r.id),
    do=_remind,
    will=lambda _form: _(
        "The grantee's staff are told by e-mail and in the app that the report is overdue."
    ),
)


@bp.post("/reports/bulk/remind")
@requires(Permission.ACCEPT_GRANT_REPORT)
def bulk_remind() -> Any:
    return bulk_page(REMIND_MANY)


@bp.post("/reports/bulk/remind/confirm")
@requires(Permission.ACCEPT_GRANT_REPORT)
def bulk_remind_confirm() -> Any:
    return bulk_confirm(REMIND_MANY)
