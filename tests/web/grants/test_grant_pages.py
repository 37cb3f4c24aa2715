"""Grants in the browser: award from the fund manager's board, the agreement signed by the NGO,
tranches by two finance officers (even through direct POSTs), reports, closure, and other
NGOs guessing ids."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.applications.models import ApplicationStatus
from app.grants import services as grants
from app.grants.models import (
    Grant,
    GrantStatus,
    ReportKind,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from app.ledger.models import Transfer, TransferKind
from app.platform.extensions import db
from tests.applications_support import PDF
from tests.factories import user_with
from tests.grants_support import (
    USD,
    active_grant,
    approved_application,
    available,
    award,
    complete_report,
    fund,
    manager,
    officers,
    pay,
    report_of,
    signatory,
    spend_everything,
)


def html(response) -> str:
    return response.get_data(as_text=True)


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    body = body.replace("\u202f", " ").replace("\xa0", " ").replace("&#34;", '"')
    return re.sub(r"\s+", " ", body)


@pytest.fixture
def funded():
    fund(200_000 * USD)


def test_the_fund_manager_awards_from_the_board_and_lands_on_the_grant(client, sign_in, funded):
    application = approved_application(amount=12_000 * USD)
    fm = manager()
    sign_in(fm)
    page = text(client.get("/grants/manage"))
    assert application.reference in page
    response = client.post(f"/grants/award/{application.id}", data={"start_date": "2031-02-01"})
    grant = db.session.execute(
        select(Grant).where(Grant.application_id == application.id)
    ).scalar_one()
    assert response.status_code == 302
    assert response.location.endswith(f"/grants/{grant.id}")
    page = text(client.get(response.location))
    assert grant.reference in page
    assert "The grant is awarded and its money committed." in page
    assert "USD 12,000.00" in page and "USD 13,560.00" in page  # grant, and with 13 % PSC
    assert "The ledger agrees" in page


def test_an_award_the_fund_cannot_cover_is_refused_and_the_application_waits(client, sign_in):
    application = approved_application(amount=available() + 500 * USD)
    sign_in(manager())
    assert "Pending funds" in text(client.get("/grants/manage"))
    page = text(client.post(f"/grants/award/{application.id}", follow_redirects=True))
    assert "The fund cannot cover this grant" in page
    assert "stays approved" in page
    db.session.expire_all()
    assert application.status == ApplicationStatus.APPROVED
    assert grants.grant_for_application(application) is None


def test_the_signatory_accepts_the_agreement_and_the_address_is_kept(client, sign_in, funded):
    grant = award(approved_application())
    grants.send_agreement(actor=manager(), grant=grant)
    owner = signatory(grant)
    sign_in(owner)
    assert "Read and accept the grant agreement" in text(client.get("/grants/"))
    agreement = text(client.get(f"/grants/{grant.id}/agreement"))
    assert "Payment in tranches" in agreement and grant.agreement_sha256 in agreement
    form = client.get(f"/grants/{grant.id}/accept").get_data(as_text=True)
    assert grant.agreement_sha256 in form
    refused = client.post(
        f"/grants/{grant.id}/accept",
        data={"signatory_name": "Amina", "digest": grant.agreement_sha256},
    )
    assert refused.status_code == 422
    response = client.post(
        f"/grants/{grant.id}/accept",
        data={
            "signatory_name": "Amina Director",
            "signatory_title": "Director",
            "confirmed": "y",
            "digest": grant.agreement_sha256,
        },
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert grant.status == GrantStatus.ACTIVE
    assert grant.accepted_ip == "192.0.2.44"
    assert grant.signatory_name == "Amina Director"


def test_maker_checker_holds_even_through_direct_posts(client, sign_in, funded):
    grant = active_grant()
    tranche = grant.tranches[0]
    people = officers()
    sign_in(people.maker)
    client.post(f"/grants/tranches/{tranche.id}/request")
    db.session.expire_all()
    assert tranche.status == TrancheStatus.REQUESTED
    page = text(client.get(f"/grants/tranches/{tranche.id}"))
    assert "You requested it: another finance officer must approve." in page
    assert "Approve" not in re.sub(r"Approved by \(checker\)", "", page)
    page = text(client.post(f"/grants/tranches/{tranche.id}/approve", follow_redirects=True))
    assert "you cannot approve it" in page
    db.session.expire_all()
    assert tranche.status == TrancheStatus.REQUESTED
    sign_in(people.checker)
    client.post(f"/grants/tranches/{tranche.id}/approve")
    db.session.expire_all()
    assert tranche.status == TrancheStatus.APPROVED
    assert tranche.approved_by_id == people.checker.id


def test_a_double_click_on_send_makes_one_transfer(client, sign_in, funded):
    grant = active_grant()
    tranche = grant.tranches[0]
    people = officers()
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    sign_in(people.maker)
    first = client.post(f"/grants/tranches/{tranche.id}/send")
    second = client.post(f"/grants/tranches/{tranche.id}/send", follow_redirects=True)
    assert first.status_code == 302
    assert "cannot become Sent, awaiting bank confirmation" in text(second)
    count = db.session.scalar(
        select(func.count())
        .select_from(Transfer)
        .where(
            Transfer.document_type == "tranche",
            Transfer.document_id == str(tranche.id),
            Transfer.kind == TransferKind.PENDING,
        )
    )
    assert count == 1


def test_finance_confirms_with_the_bank_reference_from_the_queue(client, sign_in, funded):
    grant = active_grant()
    tranche = grant.tranches[0]
    people = officers()
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    grants.send_disbursement(actor=people.maker, tranche=tranche)
    sign_in(people.checker)
    queue = text(client.get("/grants/disbursements"))
    assert tranche.reference in queue and "Sent: waiting for the bank's confirmation" in queue
    response = client.post(
        f"/grants/tranches/{tranche.id}/paid",
        data={"bank_reference": "FT-77", "next": "/grants/disbursements"},
    )
    assert response.location.endswith("/grants/disbursements")
    db.session.expire_all()
    assert tranche.status == TrancheStatus.PAID and tranche.bank_reference == "FT-77"
    page = text(client.get(f"/grants/{grant.id}"))
    assert "FT-77" in page and "The ledger agrees" in page


def test_a_later_tranche_request_names_the_report_it_waits_for(client, sign_in, funded):
    grant = active_grant()
    people = officers()
    pay(grant.tranches[0], people)
    sign_in(people.maker)
    page = text(
        client.post(f"/grants/tranches/{grant.tranches[1].id}/request", follow_redirects=True)
    )
    assert "Progress report 1" in page and "must be accepted before tranche 2" in page
    db.session.expire_all()
    assert grant.tranches[1].status == TrancheStatus.SCHEDULED


def test_the_ngo_writes_a_report_with_counts_and_spending_and_the_fund_accepts_it(
    client, sign_in, funded
):
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    line_a, line_b = grant.current_budget
    sign_in(signatory(grant))
    form = text(client.get(f"/grants/reports/{report.id}/edit"))
    assert "No personal data." in form
    assert "Only the fund manager sees this section." in form
    response = client.post(
        f"/grants/reports/{report.id}/edit",
        data={
            "p-forced_labour-female-adult-new": "12",
            "p-forced_labour-female-child-new": "3",
            "a-shelter": "15",
            "results": "Fifteen survivors housed.",
            "safeguarding_incidents": "1",
            "safeguarding_details": "A confidentiality breach; staff retrained.",
            f"line-{line_a.id}": "4500.00",
            f"line-{line_b.id}": "1500",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        f"/grants/reports/{report.id}/edit", data={"p-forced_labour-female-adult-new": "x"}
    )
    assert bad.status_code == 422
    # Counts and amounts beyond any real one are refused with a sentence; the saved report stays.
    for field, value, reason in (
        ("p-forced_labour-female-adult-new", "99999999999999999999", "from 0 to 10,000,000"),
        (f"line-{line_a.id}", "99999999999999999999", "is more than this system accepts"),
    ):
        slip = client.post(f"/grants/reports/{report.id}/edit", data={field: value})
        assert slip.status_code == 422
        assert reason in text(slip)
    db.session.expire_all()
    assert report.people_assisted == 15
    upload = client.post(
        f"/grants/reports/{report.id}/attachments",
        data={"file": (io.BytesIO(PDF), "receipts.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    client.post(f"/grants/reports/{report.id}/submit")
    db.session.expire_all()
    assert report.status == ReportStatus.SUBMITTED
    assert report.people_assisted == 15

    # The fund manager sees the safeguarding section; finance does not.
    sign_in(manager())
    page = text(client.get(f"/grants/reports/{report.id}"))
    assert "A confidentiality breach" in page and "receipts.pdf" in page
    sign_in(user_with(Role.FINANCE))
    page = text(client.get(f"/grants/reports/{report.id}"))
    assert "Fifteen survivors housed." in page
    assert "A confidentiality breach" not in page and "Safeguarding" not in page
    sign_in(manager())
    client.post(f"/grants/reports/{report.id}/accept", data={"comment": "Thank you."})
    db.session.expire_all()
    assert report.status == ReportStatus.ACCEPTED


def test_other_ngos_get_not_found_for_every_grant_page(client, sign_in, funded, storage):
    from app.grants.services import reports as grant_reports

    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    attachment = grant_reports.attach_report_file(
        actor=signatory(grant), report=report, filename="a.pdf", data=PDF, storage=storage
    )
    other = active_grant()
    sign_in(signatory(other))
    for url in (
        f"/grants/{grant.id}",
        f"/grants/{grant.id}/agreement",
        f"/grants/{grant.id}/closure",
        f"/grants/tranches/{grant.tranches[0].id}",
        f"/grants/reports/{report.id}",
        f"/grants/reports/{report.id}/edit",
        f"/grants/attachments/{attachment.id}",
        f"/grants/{grant.id}/amendments/new",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/grants/reports/{report.id}/submit").status_code == 404
    page = text(client.get("/grants/"))
    assert other.reference in page and grant.reference not in page


def test_the_fund_manager_sees_overdue_grants_first(client, sign_in, funded):
    on_time = active_grant()
    late = active_grant()
    report = report_of(late, ReportKind.PROGRESS)
    report.due_date = grants.today().replace(year=grants.today().year - 1)
    db.session.flush()
    sign_in(manager())
    page = text(client.get("/grants/manage"))
    assert page.index(late.reference) < page.index(on_time.reference)
    assert "Report overdue" in page
    reports_page = text(client.get("/grants/reports"))
    assert "Overdue" in reports_page and late.reference in reports_page


def test_closure_in_the_browser_ends_with_the_grant_account_at_zero(client, sign_in, funded):
    grant = active_grant(amount=10_000 * USD)
    people = officers()
    fm = manager()
    pay(grant.tranches[0], people)
    complete_report(report_of(grant, ReportKind.PROGRESS), fm)
    complete_report(report_of(grant, ReportKind.FINAL), fm)
    complete_report(
        report_of(grant, ReportKind.FINANCIAL), fm, spent=spend_everything(grant, 5_500 * USD)
    )
    sign_in(fm)
    page = text(client.get(f"/grants/{grant.id}/closure"))
    assert "Start the closure" in page
    client.post(f"/grants/{grant.id}/closure/start")
    page = text(client.post(f"/grants/{grant.id}/close", follow_redirects=True))
    assert "still owes USD 500.00" in page
    sign_in(people.maker)
    client.post(
        f"/grants/{grant.id}/closure/refunds",
        data={"amount": "500.00", "bank_reference": "RF-9", "received_on": "2031-01-15"},
    )
    sign_in(fm)
    page = text(client.post(f"/grants/{grant.id}/close", follow_redirects=True))
    assert "The grant is closed" in page
    db.session.expire_all()
    assert grant.status == GrantStatus.CLOSED
    assert grants.grant_ledger_account(grant).credits_posted == grant.commitment
    from tests.grants_support import grant_balance

    assert grant_balance(grant).posted == 0
    page = text(client.get(f"/grants/{grant.id}"))
    assert "This grant is closed. Its records are read-only." in page


def test_an_amendment_is_asked_and_approved_in_the_browser(client, sign_in, funded):
    grant = active_grant(amount=10_000 * USD)
    sign_in(signatory(grant))
    response = client.post(
        f"/grants/{grant.id}/amendments/new",
        data={
            "kind": "budget_reallocation",
            "reason": "More shelter",
            "line-1": "8000",
            "line-2": "2000",
        },
    )
    assert response.status_code == 302
    amendment = grant.amendments[0]
    sign_in(manager())
    client.post(f"/grants/amendments/{amendment.id}/approve", data={"comment": "Fine"})
    db.session.expire_all()
    assert grant.budget_version == 2
    assert [line.amount for line in grant.current_budget] == [8_000 * USD, 2_000 * USD]


def test_dashboards_answer_every_role(client, sign_in, funded):
    active_grant()
    for role, url in (
        (Role.APPLICANT, "/grants/"),
        (Role.FUND_MANAGER, "/grants/manage"),
        (Role.FUND_MANAGER, "/grants/reports"),
        (Role.FINANCE, "/grants/disbursements"),
        (Role.AUDITOR, "/grants/disbursements"),
        (Role.AUDITOR, "/grants/manage"),
    ):
        sign_in(user_with(role))
        assert client.get(url).status_code == 200, (role, url)


def test_tranche_rows_report_the_same_money_as_the_ledger(client, sign_in, funded):
    grant = active_grant(amount=10_000 * USD)
    pay(grant.tranches[0], officers())
    sign_in(user_with(Role.AUDITOR))
    page = text(client.get(f"/grants/tranches/{grant.tranches[0].id}"))
    assert "USD 6,000.00" in page and "USD 780.00" in page
    assert db.session.get(Tranche, grant.tranches[0].id).psc_amount == 780 * USD


def test_the_ledger_links_grant_transfers_back_to_the_grant_and_tranche(client, sign_in, funded):
    from app.ledger.services.transfers import transfers_for_document

    grant = active_grant()
    pay(grant.tranches[0], officers())
    sign_in(user_with(Role.AUDITOR))
    (commitment,) = transfers_for_document(document_type="grant", document_id=grant.id)
    html = client.get(f"/ledger/transfers/{commitment.id}").get_data(as_text=True)
    assert f'href="/grants/{grant.id}"' in html
    sent = transfers_for_document(document_type="tranche", document_id=grant.tranches[0].id)[0]
    html = client.get(f"/ledger/transfers/{sent.id}").get_data(as_text=True)
    assert f'href="/grants/tranches/{grant.tranches[0].id}"' in html


def test_the_french_report_form_takes_local_numbers_and_says_each_refusal_by_its_field(
    client, sign_in, funded
):
    """One cross table: the totals by sex and age and by exploitation are worked out from it on
    the report page; a count that cannot be right is refused next to its field, nothing saved."""
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    sign_in(signatory(grant))
    headers = {"Accept-Language": "fr"}
    url = f"/grants/reports/{report.id}/edit"
    form = client.get(url, headers=headers)
    assert 'name="p-sexual_exploitation-female-adult-new"' in html(form)
    assert 'name="p-not_recorded-male-child-continuing"' in html(form)
    base = {"results": "Survivantes hébergées."}
    refused = client.post(
        url,
        headers=headers,
        data={
            **base,
            "p-sexual_exploitation-female-adult-new": "1\u202f200",
            "p-forced_labour-male-adult-new": "2,5",
            "a-shelter": "1\u202f300",
        },
    )
    assert refused.status_code == 422
    page = html(refused)
    # The unreadable count is refused next to its own input, with the value kept.
    assert re.search(
        r'id="p-forced_labour-male-adult-new"[^>]*aria-invalid="true"[^>]*'
        r'aria-describedby="p-forced_labour-male-adult-new-error"',
        page,
    )
    assert 'id="p-forced_labour-male-adult-new-error"' in page
    db.session.expire_all()
    assert report.saved_at is None and report.people_assisted == 0

    # Shelter for more people than were assisted: refused next to the shelter field.
    too_many = client.post(
        url,
        headers=headers,
        data={**base, "p-sexual_exploitation-female-adult-new": "1\u202f200", "a-shelter": "1 300"},
    )
    assert too_many.status_code == 422
    page = html(too_many)
    assert re.search(r'id="a-shelter-error">[^<]*1\u202f?200', page)
    # Continuing people when no earlier report counted anyone: refused above the table.
    continuing = client.post(
        url, headers=headers, data={**base, "p-mixed-female-child-continuing": "2"}
    )
    assert continuing.status_code == 422
    assert 'id="people-continuing-error"' in html(continuing)
    db.session.expire_all()
    assert report.saved_at is None

    saved = client.post(
        url,
        headers=headers,
        data={
            **base,
            "p-sexual_exploitation-female-adult-new": "1\u202f200",
            "p-sexual_exploitation-female-child-new": "30",
            "p-forced_labour-male-adult-new": "1 000",
            "a-shelter": "1\u202f300",
            "a-medical": "2 230",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    table = report.people_table
    assert (table.total, table.new, table.continuing) == (2230, 2230, 0)
    assert table.by_sex_age()["female.adult"] == 1200
    assert table.by_exploitation()["forced_labour"] == 1000
    # The report page shows the derived totals, in French notation.
    shown = text(client.get(f"/grants/reports/{report.id}", headers=headers))
    assert "2 230" in shown and "1 230" in shown  # the total; sexual exploitation
