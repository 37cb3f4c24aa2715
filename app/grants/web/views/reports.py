"""Grantee reports: the list to review, a report, its form and attachments, submit and review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import (
    Permission,
    can_view_grant_report,
    can_view_safeguarding,
    has_permission,
    is_member,
)
from app.grants import queries
from app.grants.models import (
    EXPLOITATION_COLUMNS,
    NOT_RECORDED,
    FigureDimension,
    GrantReport,
    ReportAttachment,
    ReportStatus,
)
from app.grants.services import reports as grant_reports
from app.grants.services.common import today
from app.grants.services.reports import PeopleCountsRefused, ReportData
from app.grants.web.blueprint import bp
from app.grants.web.forms import ReviewForm, UploadForm, form_value, parse_amount, parse_count
from app.grants.web.views.common import may, perform
from app.platform.categories import AgeGroup, AssistanceType, FormOfExploitation, Sex
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.web.access import login_required, requires
from app.web.downloads import send_private_file
from app.web.labels import label
from app.web.lookup import visible_or_404


@bp.get("/reports")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def reports() -> Any:
    """Reports due and overdue on running grants, and those waiting for review; with
    ``?state=overdue``, only the overdue ones (the dashboard's tile links here)."""
    on = today()
    overdue_only = request.args.get("state") == "overdue"
    return render_template(
        "grants/reports.html",
        can_bulk_remind=has_permission(current_user, Permission.ACCEPT_GRANT_REPORT),
        outstanding=queries.outstanding_reports(on=on, overdue_only=overdue_only),
        overdue_only=overdue_only,
        to_review=queries.reports_awaiting_review(),
        is_overdue=queries.is_overdue,
        on=on,
    )


# The names of the report form's count inputs: one per cross-table cell and kind of person,
# one per type of assistance.
def people_input(exploitation: str, sex: Sex, age: AgeGroup, kind: str) -> str:
    return f"p-{exploitation}-{sex.value}-{age.value}-{kind}"


def assistance_input(code: str) -> str:
    return f"a-{code}"


def exploitation_label(code: str) -> str:
    if code == NOT_RECORDED:
        return _("Form of exploitation not known")
    return label(FormOfExploitation(code))


def _counting_names() -> dict[str, Any]:
    """What the report's pages need to lay out and read the counts of people."""
    return {
        "Sex": Sex,
        "AgeGroup": AgeGroup,
        "AssistanceType": AssistanceType,
        "FigureDimension": FigureDimension,
        "exploitation_columns": EXPLOITATION_COLUMNS,
        "NOT_RECORDED": NOT_RECORDED,
        "people_input": people_input,
        "assistance_input": assistance_input,
        "exploitation_label": exploitation_label,
    }


def _report_or_404(report_id: int) -> GrantReport:
    return visible_or_404(GrantReport, report_id, can_view_grant_report)


@bp.get("/reports/<int:report_id>")
@login_required
def report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    grant = item.grant
    member = is_member(current_user, grant.organisation_id)
    return render_template(
        "grants/report.html",
        grant=grant,
        report=item,
        on=today(),
        is_overdue=queries.is_overdue,
        variance=grant_reports.expenditure_variance(item) if item.has_expenditure else [],
        show_safeguarding=can_view_safeguarding(current_user, item),
        can_edit=grant_reports.can_edit_report(current_user, item),
        problems=[p.translated(_) for p in grant_reports.report_problems(item)],
        can_review=item.status == ReportStatus.SUBMITTED
        and may(Permission.ACCEPT_GRANT_REPORT, grant),
        member=member,
        review_form=ReviewForm(),
        threshold=current_app.config["GRANT_VARIANCE_THRESHOLD"],
        **_counting_names(),
    )


def _report_data(item: GrantReport, errors: dict[str, str]) -> ReportData:
    """The posted form as report data; a count that is not a number is refused in ``errors``
    under its input's name, with the others, so each is said next to its field."""
    form = request.form

    def count(name: str, what: str) -> int:
        try:
            return parse_count(form_value(form, name), what=what)
        except DomainError as error:
            errors[name] = error.translated(_)
            return 0

    people: dict[tuple[str, Sex, AgeGroup], tuple[int, int]] = {}
    assistance: dict[str, int] = {}
    if item.has_narrative:
        for exploitation in EXPLOITATION_COLUMNS:
            for sex in Sex:
                for age in AgeGroup:
                    new, continuing = (
                        count(people_input(exploitation, sex, age, kind), what)
                        for kind, what in (("new", _("New")), ("continuing", _("Continuing")))
                    )
                    if new or continuing:
                        people[(exploitation, sex, age)] = (new, continuing)
        for kind in AssistanceType:
            assistance[kind.value] = count(assistance_input(kind.value), _("Each count"))
    expenditures = {}
    if item.has_expenditure:
        for line in item.grant.current_budget:
            raw = form_value(form, f"line-{line.id}")
            try:
                expenditures[line.id] = (
                    parse_amount(raw, item.grant.currency, what=line.description)
                    if raw.strip()
                    else 0
                )
            except DomainError as error:
                errors[f"line-{line.id}"] = error.translated(_)
    incidents = count("safeguarding_incidents", _("Incidents"))
    return ReportData(
        results=form_value(form, "results"),
        challenges=form_value(form, "challenges"),
        lessons=form_value(form, "lessons"),
        safeguarding_incidents=incidents,
        safeguarding_details=form_value(form, "safeguarding_details"),
        people=people,
        assistance=assistance,
        expenditures=expenditures,
    )


def _field_of(problem: str) -> str:
    """The input a refusal of the people's counts is shown next to."""
    if problem.startswith("assistance."):
        return assistance_input(problem.removeprefix("assistance."))
    if problem.startswith("people."):
        return "people-" + problem.removeprefix("people.").replace(".", "-")
    return "people-" + problem


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@requires(Permission.SUBMIT_GRANT_REPORT)
def edit_report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    if not grant_reports.can_edit_report(current_user, item):
        flash(_("This report can no longer be changed."), "info")
        return redirect(url_for("grants.report", report_id=item.id))
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        data = _report_data(item, field_errors)
        if field_errors:
            errors.append(_("Some counts or amounts could not be read: see the fields marked."))
        else:
            try:
                grant_reports.save_report(actor=current_user, report=item, data=data)
            except PeopleCountsRefused as refused:
                db.session.rollback()
                for problem, error in refused.problems.items():
                    field_errors[_field_of(problem)] = error.translated(_)
                errors.append(_("Some counts of people cannot be right: see the fields marked."))
            except DomainError as error:
                db.session.rollback()
                errors.append(error.translated(_))
            else:
                db.session.commit()
                flash(_("The report is saved. Submit it when it is complete."), "success")
                return redirect(url_for("grants.report", report_id=item.id))
    return _report_edit_page(
        item,
        errors=errors,
        values=request.form if request.method == "POST" else None,
        upload_form=UploadForm(),
        field_errors=field_errors,
    )


def _report_edit_page(
    item: GrantReport,
    *,
    errors: list[str],
    values: Any,
    upload_form: UploadForm,
    field_errors: dict[str, str] | None = None,
) -> Any:
    spent = {row.budget_line.position: row.amount for row in item.expenditures}
    return (
        render_template(
            "grants/report_edit.html",
            grant=item.grant,
            report=item,
            errors=errors,
            values=values,
            spent=spent,
            upload_form=upload_form,
            field_errors=field_errors or {},
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
            **_counting_names(),
        ),
        422 if errors or upload_form.errors else 200,
    )


@bp.post("/reports/<int:report_id>/submit")
@requires(Permission.SUBMIT_GRANT_REPORT)
def submit_report(report_id: int) -> Any:
    item = _report_or_404(report_id)
    return perform(
        lambda: grant_reports.submit_report(actor=current_user, report=item),
        success=_("The report is submitted to the fund."),
        target=url_for("grants.report", report_id=item.id),
    )


def _review(report_id: int, decide: Callable[..., object], success: str) -> Any:
    """The fund's answer to a submitted report: the service ``decide`` takes it with the
    reviewer's comment, then the report's page says ``success``."""
    item = _report_or_404(report_id)
    form = ReviewForm()
    return perform(
        lambda: decide(actor=current_user, report=item, comment=form.comment.data or ""),
        success=success,
        target=url_for("grants.report", report_id=item.id),
    )


@bp.post("/reports/<int:report_id>/accept")
@requires(Permission.ACCEPT_GRANT_REPORT)
def accept_report(report_id: int) -> Any:
    return _review(report_id, grant_reports.accept_report, _("The report is accepted."))


@bp.post("/reports/<int:report_id>/request-changes")
@requires(Permission.ACCEPT_GRANT_REPORT)
def request_report_changes(report_id: int) -> Any:
    return _review(
        report_id,
        grant_reports.request_report_changes,
        _("The organisation is asked to change the report."),
    )


@bp.post("/reports/<int:report_id>/attachments")
@requires(Permission.SUBMIT_GRANT_REPORT)
def upload(report_id: int) -> Any:
    item = _report_or_404(report_id)
    if not grant_reports.can_edit_report(current_user, item):
        flash(_("This report can no longer be changed."), "info")
        return redirect(url_for("grants.report", report_id=item.id))
    form = UploadForm()
    # A refusal is said next to the file field, on the page the file was chosen on.
    if not form.validate_on_submit():
        return _report_edit_page(item, errors=[], values=None, upload_form=form)
    upload = form.file.data
    name = upload.filename or ""
    try:
        grant_reports.attach_report_file(
            actor=current_user,
            report=item,
            filename=name,
            data=upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1),
            storage=get_storage(),
        )
    except DomainError as error:
        db.session.rollback()
        form.file.errors = [
            _("%(file)s was not uploaded: %(reason)s", file=name or "?", reason=error.translated(_))
        ]
        return _report_edit_page(item, errors=[], values=None, upload_form=form)
    db.session.commit()
    flash(_("%(file)s attached.", file=name), "success")
    return redirect(url_for("grants.edit_report", report_id=item.id) + "#attachments")


@bp.post("/reports/<int:report_id>/attachments/<int:attachment_id>/remove")
@requires(Permission.SUBMIT_GRANT_REPORT)
def remove_attachment(report_id: int, attachment_id: int) -> Any:
    item = _report_or_404(report_id)
    attachment = db.session.get(ReportAttachment, attachment_id)
    if attachment is None or attachment.report_id != item.id:
        abort(404)
    target = url_for("grants.edit_report", report_id=item.id) + "#attachments"
    try:
        key = grant_reports.remove_report_file(actor=current_user, attachment=attachment)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(target)
    db.session.commit()
    get_storage().delete(key)
    flash(_("The file is removed."), "success")
    return redirect(target)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Any:
    """A private file, after the access check; always as an attachment, never rendered."""
    attachment = visible_or_404(
        ReportAttachment, attachment_id, lambda actor, a: can_view_grant_report(actor, a.report)
    )
    return send_private_file(
        attachment.storage_key,
        filename=attachment.filename,
        content_type=attachment.content_type,
        subject=attachment,
        what="report attachment",
    )
