"""Each staff role's dashboard starts with what is waiting for them: one line per kind of work
(to screen, to verify, to review, for the Board, to approve, to pay, overdue), each a count that
links to the list filtered to exactly what it counts."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.grants.models import Tranche, TrancheStatus
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with

ITEM = re.compile(
    r'<li class="list-group-item">\s*<a href="(?P<href>[^"]+)">(?P<label>[^<]+)</a>\s*'
    r'<span class="badge[^"]*">(?P<count>[\d,]+)</span>'
)


def _queue(html: str) -> dict[str, tuple[str, int]]:
    section = (
        html.split('id="queue-title"', 1)[1].split("</section>", 1)[0]
        if 'id="queue-title"' in html
        else ""
    )
    return {
        unescape(m["label"]): (unescape(m["href"]), int(m["count"].replace(",", "")))
        for m in ITEM.finditer(section)
    }


@pytest.fixture
def fund(app):
    FundGenerator(Scale("queue", 2, 8, 60, 6, 3, 2, 120, years=1), advance=lambda n: None).run()


EXPECTED = {
    Role.FUND_MANAGER: {
        "Applications to screen",
        "Screening under way",
        "Organisation files to verify",
        "Recommendations for the Board to decide",
        "Grant reports to review",
        "Overdue reports",
        "Overdue tranches",
        "Overdue monitoring recommendations",
    },
    Role.FINANCE: {
        "Tranche requests to approve (another officer's)",
        "Approved tranches to pay",
        "Payments sent, to confirm with the bank",
        "Overdue tranches",
    },
    Role.BOARD: {"Recommendations for the Board to decide"},
    Role.AUDITOR: {"Overdue reports", "Overdue tranches"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED, key=str))
def test_each_role_sees_its_work_each_line_a_link(fund, client, sign_in, role):
    sign_in(user_with(role))
    queue = _queue(client.get("/dashboard").get_data(as_text=True))
    assert set(queue) == EXPECTED[role]
    for label, (href, count) in queue.items():
        listed = client.get(href)
        assert listed.status_code == 200, (label, href)
        page = unescape(listed.get_data(as_text=True))
        match = re.search(r"(\d+) (?:applications? match|organisations? match)", page)
        if match:  # the staff lists say how many they hold: the same number
            assert int(match.group(1)) == count, label


def test_a_reviewer_with_a_dashboard_sees_their_reviews(fund, client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER, Role.REVIEWER))
    queue = _queue(client.get("/dashboard").get_data(as_text=True))
    assert queue["Reviews to write"][0] == "/reviews/mine"


def test_a_finance_officer_is_not_asked_to_approve_their_own_request(fund, client, sign_in):
    maker, checker = user_with(Role.FINANCE), user_with(Role.FINANCE)
    tranche = db.session.scalars(sa.select(Tranche).order_by(Tranche.id)).first()
    before = db.session.scalar(
        sa.select(sa.func.count()).where(Tranche.status == TrancheStatus.REQUESTED)
    )
    tranche.status, tranche.requested_by_id = TrancheStatus.REQUESTED, maker.id
    db.session.commit()
    label = "Tranche requests to approve (another officer's)"
    sign_in(maker)
    mine = _queue(client.get("/dashboard").get_data(as_text=True))[label][1]
    sign_in(checker)
    theirs = _queue(client.get("/dashboard").get_data(as_text=True))[label][1]
    assert theirs == mine + 1
    assert theirs >= before + (0 if before else 1)


def test_roles_without_work_here_see_no_queue(fund, client, sign_in):
    sign_in(user_with(Role.DONOR))
    assert client.get("/dashboard").status_code == 403


def test_the_home_page_shows_a_reviewer_their_reviews(fund, client, sign_in):
    from datetime import date

    from app.applications.models import Application
    from app.reviews.models import AssignmentStatus, ReviewAssignment

    reviewer = user_with(Role.REVIEWER)
    for application in db.session.scalars(sa.select(Application).limit(2)):
        db.session.add(
            ReviewAssignment(
                application_id=application.id,
                reviewer_id=reviewer.id,
                status=AssignmentStatus.ACTIVE,
                due_on=date(2030, 1, 1),
            )
        )
    db.session.commit()
    sign_in(reviewer)
    queue = _queue(client.get("/").get_data(as_text=True))
    assert set(queue) == {"Reviews to write"}
    assert queue["Reviews to write"] == ("/reviews/mine", 2)
    href = queue["Reviews to write"][0]
    assert client.get(href).status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DONOR, Role.APPLICANT])
def test_the_home_page_shows_no_queue_to_those_with_none(fund, client, sign_in, role):
    sign_in(user_with(role))
    page = client.get("/").get_data(as_text=True)
    assert 'id="queue-title"' not in page
