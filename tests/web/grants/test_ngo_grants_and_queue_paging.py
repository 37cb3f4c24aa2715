"""Lists read a page at a time (keyset pages, 25 a page): an NGO member's grants and reports to
send (/grants/), finance's queue and next tranches (/grants/disbursements). Each page shows
every row once, in the order the page always had; each list has its own pager, and moving in
one keeps the place reached in the others."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from app.accounts.models import Organisation, Role
from app.grants import queries, tranche_queries
from app.grants.models import Grant, GrantReport, GrantStatus, ReportStatus, Tranche, TrancheStatus
from app.grants.services.common import today
from app.grants.services.disbursements import tranche_blockers
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import MembershipFactory, user_with

PAGE = 25


def _fund() -> None:
    """66 active grants, one report each; then 40 reports still owed (due from a month ago to
    three months ahead: some overdue) and grants at other stages, so each order matters."""
    FundGenerator(
        Scale("paging", 3, 12, 200, 66, 5, 1, 3000, years=1), advance=lambda n: None
    ).run()
    on = today()
    reports = db.session.scalars(sa.select(GrantReport).order_by(GrantReport.id)).all()
    for index, report in enumerate(reports[:40]):
        report.status = ReportStatus.DUE
        report.due_date = on + timedelta(days=3 * index - 30)
    for grant in db.session.scalars(sa.select(Grant)):
        if grant.id % 7 == 0:
            grant.status = GrantStatus.CLOSED
        elif grant.id % 11 == 0:
            grant.status = GrantStatus.AGREEMENT_SENT
    db.session.flush()


def _pager(html: str, label: str) -> str:
    match = re.search(
        r'<nav aria-label="' + re.escape(label) + r' · Pages">(.*?)</nav>', html, re.S
    )
    return match.group(1) if match else ""


def _link(html: str, label: str, which: str) -> str | None:
    match = re.search(
        r'<a class="page-link" href="([^"#]+)"[^>]*>' + which + "<", _pager(html, label)
    )
    return unescape(match.group(1)) if match else None


def _walk(client, url: str, label: str, found) -> list[list[int]]:
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(found(html))
        url = _link(html, label, "Next")
    return pages


def _grant_ids(html: str) -> list[int]:
    return [
        int(i)
        for i in re.findall(r'<section class="card mb-3" aria-labelledby="grant-(\d+)"', html)
    ]


def _report_ids(html: str) -> list[int]:
    section = html.split('id="due-heading"', 1)[-1].split("</section>", 1)[0]
    return [int(i) for i in re.findall(r"/grants/reports/(\d+)/edit", section)]


def _member_of_every_organisation():
    user = user_with(Role.APPLICANT)
    for organisation in db.session.scalars(sa.select(Organisation)):
        MembershipFactory(user=user, organisation=organisation)
    db.session.flush()
    return user


def test_an_ngo_sees_every_grant_and_report_to_send_once_a_page_at_a_time(app, sign_in):
    _fund()
    client = sign_in(_member_of_every_organisation())
    on = today()
    expected_grants = list(
        db.session.scalars(queries.list_grants(on=on).with_only_columns(Grant.id))
    )
    expected_reports = [r.id for r in db.session.scalars(queries.outstanding_reports_query(on=on))]
    assert len(expected_grants) > PAGE and len(expected_reports) > PAGE
    overdue_first = queries.grant_order(on)[0].column()
    flags = db.session.scalars(
        sa.select(overdue_first).select_from(Grant).order_by(overdue_first)
    ).all()
    assert 0 in flags and 1 in flags

    grant_pages = _walk(client, "/grants/", "My grants", _grant_ids)
    assert [g for page in grant_pages for g in page] == expected_grants
    assert [len(page) for page in grant_pages[:-1]] == [PAGE] * (len(grant_pages) - 1)
    report_pages = _walk(client, "/grants/", "Reports to send", _report_ids)
    assert [r for page in report_pages for r in page] == expected_reports

    # On the second page of grants, the next page of reports keeps the grants where they were.
    second = _link(client.get("/grants/").get_data(as_text=True), "My grants", "Next")
    html = client.get(second).get_data(as_text=True)
    more_reports = _link(html, "Reports to send", "Next")
    assert more_reports is not None and "after=" in more_reports
    html = client.get(more_reports).get_data(as_text=True)
    assert _grant_ids(html) == grant_pages[1]
    assert _report_ids(html) == report_pages[1]
    back = _link(html, "Reports to send", "Previous")
    assert _report_ids(client.get(back).get_data(as_text=True)) == report_pages[0]


def _section(html: str, state: str) -> str:
    return html.split(f'aria-labelledby="q-{state}"', 1)[1].split("</section>", 1)[0]


def _tranche_ids(section: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'<th scope="row"><a href="/grants/tranches/(\d+)"', section)
    ]


def test_finance_pages_through_each_state_of_the_queue_with_its_count_and_sum(app, sign_in):
    _fund()
    scheduled = list(
        db.session.scalars(
            sa.select(Tranche)
            .join(Grant)
            .where(Tranche.status == TrancheStatus.SCHEDULED, Grant.status == GrantStatus.ACTIVE)
            .order_by(Tranche.id)
            .limit(30)
        )
    )
    assert len(scheduled) == 30
    for tranche in scheduled:
        tranche.status = TrancheStatus.REQUESTED
    # A failed payment of a grant that no longer runs is not to be requested again: not counted.
    closed = db.session.scalars(
        sa.select(Tranche).where(
            Tranche.status == TrancheStatus.SCHEDULED, Tranche.id.not_in([t.id for t in scheduled])
        )
    ).first()
    closed.status = TrancheStatus.FAILED
    closed.grant.status = GrantStatus.CLOSED
    db.session.flush()
    expected = [t.id for t in sorted(scheduled, key=lambda t: (t.planned_date, t.id))]
    client = sign_in(user_with(Role.FINANCE))

    html = client.get("/grants/disbursements").get_data(as_text=True)
    requested = _section(html, "requested")
    assert '<span class="badge text-bg-light border">30</span>' in requested
    failed = _section(html, "failed")
    assert '<span class="badge text-bg-light border">0</span>' in failed
    assert "None." in failed

    label = "Requested: waiting for a second officer's approval"
    pages = _walk(
        client, "/grants/disbursements", label, lambda h: _tranche_ids(_section(h, "requested"))
    )
    assert [t for page in pages for t in page] == expected
    assert [len(page) for page in pages] == [PAGE, 5]

    # A button on the second page brings the officer back to the second page.
    second = _link(html, label, "Next")
    assert second is not None and "requested_after=" in second
    page_two = client.get(second).get_data(as_text=True)
    assert f'name="next" value="{second.replace("&", "&amp;")}"' in page_two


def test_the_next_tranches_are_those_ready_to_request_first_every_one_once(app, sign_in):
    _fund()
    on = today()
    client = sign_in(user_with(Role.FINANCE))
    label = "Next tranches of active grants"
    shown = [
        t
        for page in _walk(
            client,
            "/grants/disbursements",
            label,
            lambda h: [
                int(i)
                for i in re.findall(
                    r'/grants/tranches/(\d+)">[^<]*</a> <span class="small fw-normal">',
                    h.split('id="q-next"', 1)[1].split("</section>", 1)[0],
                )
            ],
        )
        for t in page
    ]
    active = db.session.scalars(sa.select(Grant).where(Grant.status == GrantStatus.ACTIVE)).all()
    expected = set()
    for grant in active:
        if any(
            t.status in (*tranche_queries.QUEUE_STATES, TrancheStatus.FAILED)
            for t in grant.tranches
        ):
            continue
        upcoming = next((t for t in grant.tranches if t.status == TrancheStatus.SCHEDULED), None)
        if upcoming is not None:
            expected.add(upcoming.id)
    assert len(shown) == len(set(shown)) and set(shown) == expected
    assert len(shown) > PAGE
    tranches = {
        t.id: t for t in db.session.scalars(sa.select(Tranche).where(Tranche.id.in_(shown)))
    }
    blocked = [bool(tranche_blockers(tranches[t], on=on)) for t in shown]
    assert blocked == sorted(blocked), "those that can be requested come first"
    assert any(blocked) and not all(blocked)
    ready = [tranches[t].planned_date for t, b in zip(shown, blocked, strict=True) if not b]
    assert ready == sorted(ready)


def test_junk_cursors_show_the_first_pages(app, sign_in):
    _fund()
    client = sign_in(user_with(Role.FINANCE))
    first = client.get("/grants/disbursements").get_data(as_text=True)
    for junk in (
        "requested_after=junk",
        "next_before=W1siaSIsMV1d",
        "next_after=W1sicyIsIngiXSxbImQiLCIyMDI2LTAxLTAxIl0sWyJpIiwxXV0",
    ):
        answer = client.get(f"/grants/disbursements?{junk}")
        assert answer.status_code == 200
    ngo = sign_in(_member_of_every_organisation())
    assert ngo.get("/grants/?after=junk&reports_before=W10").status_code == 200
    assert first
