"""Grantee reports: aggregate counts only, narrative, safeguarding for the fund manager only,
spending against the budget with large variances flagged, attachments, review, reminders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.accounts.permissions import can_view_grant, can_view_safeguarding
from app.applications.services.documents import upload_document
from app.applications.uploads import UploadRefused
from app.grants.models import FigureDimension, ReportKind, ReportStatus
from app.grants.services import reports
from app.grants.services.reports import ReportData
from app.platform.categories import DocumentKind
from app.platform.errors import InvalidTransition, ValidationFailed
from tests.applications_support import PDF, applicant_of, started_application
from tests.factories import user_with
from tests.grants_support import (
    USD,
    active_grant,
    fund,
    manager,
    officers,
    pay,
    report_data,
    report_of,
    signatory,
    spend_everything,
)
from tests.settings_support import change_settings


@pytest.fixture
def grant():
    fund(100_000 * USD)
    return active_grant(amount=10_000 * USD)


def test_a_report_counts_people_by_sex_and_age_and_is_reviewed(grant):
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    reports.save_report(actor=author, report=report, data=report_data(report))
    assert report.people_assisted == 15
    assert report.people_table.by_exploitation()["sexual_exploitation"] == 15
    assert report.figures_of(FigureDimension.ASSISTANCE) == {"shelter": 15}
    reports.submit_report(actor=author, report=report)
    assert report.status == ReportStatus.SUBMITTED
    with pytest.raises(InvalidTransition):
        reports.save_report(actor=author, report=report, data=report_data(report))
    fm = manager()
    with pytest.raises(ValidationFailed, match="what the organisation should change"):
        reports.request_report_changes(actor=fm, report=report, comment="")
    reports.request_report_changes(actor=fm, report=report, comment="Split the counts by site.")
    assert report.status == ReportStatus.CHANGES_REQUESTED
    reports.save_report(actor=author, report=report, data=report_data(report))
    reports.submit_report(actor=author, report=report)
    reports.accept_report(actor=fm, report=report)
    assert report.status == ReportStatus.ACCEPTED
    assert report.reviewed_by_id == fm.id


def test_only_the_counted_categories_are_accepted(grant):
    report = report_of(grant, ReportKind.PROGRESS)
    with pytest.raises(ValidationFailed, match="not one of the counted categories"):
        reports.save_report(
            actor=signatory(grant),
            report=report,
            data=ReportData(results="x", people={("forced_labour", "name", "jane"): (1, 0)}),
        )
    with pytest.raises(ValidationFailed, match="whole numbers"):
        reports.save_report(
            actor=signatory(grant),
            report=report,
            data=ReportData(results="x", people={("forced_labour", "female", "adult"): (-1, 0)}),
        )


def test_a_report_needs_results_and_safeguarding_follow_up_before_submission(grant):
    report = report_of(grant, ReportKind.FINAL)
    author = signatory(grant)
    with pytest.raises(ValidationFailed, match="Fill in the report"):
        reports.submit_report(actor=author, report=report)
    reports.save_report(
        actor=author, report=report, data=ReportData(results="", safeguarding_incidents=1)
    )
    problems = [p.message for p in reports.report_problems(report)]
    assert problems == [
        "Describe the results achieved.",
        "Say what was done about the safeguarding incidents (without personal data).",
    ]


def test_only_the_grantee_writes_its_reports(grant):
    report = report_of(grant, ReportKind.PROGRESS)
    outsider = user_with(Role.APPLICANT)
    with pytest.raises(Exception, match="own staff"):
        reports.save_report(actor=outsider, report=report, data=report_data(report))


def test_safeguarding_is_seen_by_the_fund_manager_and_the_grantee_only(grant):
    report = report_of(grant, ReportKind.PROGRESS)
    assert can_view_safeguarding(manager(), report)
    assert can_view_safeguarding(signatory(grant), report)
    assert not can_view_safeguarding(user_with(Role.FINANCE), report)
    assert not can_view_safeguarding(user_with(Role.AUDITOR), report)
    # ...although finance and auditors see the grant itself.
    assert can_view_grant(user_with(Role.FINANCE), grant)
    assert not can_view_grant(user_with(Role.APPLICANT), grant)


def test_spending_more_than_20_percent_off_budget_is_flagged(grant):
    report = report_of(grant, ReportKind.FINANCIAL)
    line_a, line_b = grant.current_budget  # 7,500 and 2,500
    spent = {line_a.id: 7_500 * USD * 125 // 100, line_b.id: 2_500 * USD * 90 // 100}
    reports.save_report(
        actor=signatory(grant), report=report, data=report_data(report, spent=spent)
    )
    rows = reports.expenditure_variance(report)
    assert [(r.budget, r.expected, r.spent) for r in rows] == [
        (7_500 * USD, 7_500 * USD, 9_375 * USD),
        (2_500 * USD, 2_500 * USD, 2_250 * USD),
    ]
    assert [r.variance for r in rows] == [Decimal("0.2500"), Decimal("-0.1000")]
    assert [r.flagged for r in rows] == [True, False]


def test_a_progress_report_is_compared_with_the_tranches_paid_before_it(grant):
    pay(grant.tranches[0], officers())  # 60 % of the grant
    report = report_of(grant, ReportKind.PROGRESS)
    line_a, line_b = grant.current_budget
    spent = {line_a.id: 4_500 * USD, line_b.id: 0}
    reports.save_report(
        actor=signatory(grant), report=report, data=report_data(report, spent=spent)
    )
    rows = reports.expenditure_variance(report)
    assert [r.expected for r in rows] == [4_500 * USD, 1_500 * USD]
    assert [r.flagged for r in rows] == [False, True]


def test_attachments_are_checked_by_content_and_removable_until_submission(grant, storage):
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    attachment = reports.attach_report_file(
        actor=author, report=report, filename="receipts.pdf", data=PDF, storage=storage
    )
    assert attachment.content_type == "application/pdf"
    assert storage.path_of(attachment.storage_key).read_bytes() == PDF
    with pytest.raises(UploadRefused):
        reports.attach_report_file(
            actor=author, report=report, filename="report.pdf", data=b"MZ\x90\x00", storage=storage
        )
    key = reports.remove_report_file(actor=author, attachment=attachment)
    assert key == attachment.storage_key
    assert report.attachments == []


@pytest.mark.parametrize(
    "data",
    [b"", b"MZ\x90\x00", PDF + b"0" * 1024 * 1024],
    ids=["empty", "a program named .pdf", "over the size limit"],
)
def test_a_bad_report_attachment_is_refused_with_the_sentence_a_document_gets(
    app, grant, storage, monkeypatch, data
):
    """A grantee reads the same refusal for the same bad file, whether it is attached to a
    report or to an application: both are checked by the one rule."""
    change_settings(monkeypatch, app, "uploads", max_bytes=1024 * 1024)
    application = started_application()
    with pytest.raises(UploadRefused) as document_refused:
        upload_document(
            actor=applicant_of(application.organisation),
            organisation=application.organisation,
            application=application,
            kind=DocumentKind.PROPOSAL,
            filename="report.pdf",
            data=data,
            storage=storage,
        )
    report = report_of(grant, ReportKind.PROGRESS)
    with pytest.raises(UploadRefused) as attachment_refused:
        reports.attach_report_file(
            actor=signatory(grant), report=report, filename="report.pdf", data=data, storage=storage
        )
    assert attachment_refused.value.message == document_refused.value.message
    assert report.attachments == []


def test_spend_everything_helper_matches_the_budget(grant):
    spent = spend_everything(grant, 10_000 * USD)
    assert sum(spent.values()) == 10_000 * USD


@pytest.fixture
def storage(tmp_path):
    from app.platform.storage import LocalStorage

    return LocalStorage(tmp_path / "uploads")
