"""Every list and dashboard page runs the same number of SQL queries whatever the data size.

The fund is generated twice as big in between (``devtools.seed.scale``: about 10, then about 30 rows
of each kind: calls, organisations, applications, grants, donors, gifts, transfers...), and each
page is fetched by a user of the role that uses it. A query per row (an N+1) shows up as a
difference. Every page must answer 200 with its own title each time: a page gone (404), moved
(a redirect) or refused cannot pass with few queries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Organisation, Role, User
from app.donations.reports.gift_totals import compact_running_totals
from app.ledger import chart
from app.ledger.models import Transfer
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, sized
from tests.factories import MembershipFactory, user_with
from tests.statements import counting


@dataclass(frozen=True)
class Page:
    url: str | Callable[[], str]
    role: str  # a Role value, "applicant_member" (member of every organisation) or "anonymous"
    shows: str  # what the answer must hold: the start of the page's <title>, or a JSON key

    def resolve(self) -> str:
        return self.url() if callable(self.url) else self.url

    @property
    def label(self) -> str:
        return f"{self.url.__name__ if callable(self.url) else self.url} as {self.role}"


def _fund_statement() -> str:
    return f"/ledger/accounts/{chart.account_by_key(chart.FUND_AVAILABLE).id}"


def _first_transfer() -> str:
    # The same transfer in both measurements: a transfer page's queries depend on the kind of
    # transfer shown (its owners, its document), and the newest one changes as the fund grows.
    transfer = db.session.execute(
        sa.select(Transfer.id).order_by(Transfer.sequence).limit(1)
    ).scalar_one()
    return f"/ledger/transfers/{transfer}"


PAGES = [
    Page("/applications/all", Role.FUND_MANAGER, "<title>Applications ·"),
    Page("/applications/all?status=approved", Role.FUND_MANAGER, "<title>Applications ·"),
    # Each sort of the staff lists (app/platform/listing.py), with filters combined.
    Page("/applications/all?sort=title&dir=asc&q=a", Role.FUND_MANAGER, "<title>Applications ·"),
    Page(
        "/applications/all?sort=organisation&dir=desc", Role.FUND_MANAGER, "<title>Applications ·"
    ),
    Page(
        "/applications/all?sort=country&dir=asc&status=submitted",
        Role.FUND_MANAGER,
        "<title>Applications ·",
    ),
    Page("/applications/all?sort=call&dir=asc", Role.FUND_MANAGER, "<title>Applications ·"),
    Page("/applications/all?sort=requested&dir=desc", Role.FUND_MANAGER, "<title>Applications ·"),
    Page("/applications/all?sort=status&dir=asc", Role.FUND_MANAGER, "<title>Applications ·"),
    Page("/applications/", "applicant_member", "<title>My applications ·"),
    Page("/calls/", "anonymous", "<title>Calls for proposals ·"),
    Page("/calls/manage", Role.FUND_MANAGER, "<title>Manage calls ·"),
    Page("/organisations/", Role.FUND_MANAGER, "<title>Organisations ·"),
    Page("/organisations/?sort=name&dir=desc&q=a", Role.FUND_MANAGER, "<title>Organisations ·"),
    Page(
        "/organisations/?sort=risk&dir=asc&flagged=1", Role.FUND_MANAGER, "<title>Organisations ·"
    ),
    Page("/reviews/", Role.FUND_MANAGER, "<title>Selection ·"),
    Page("/reviews/mine", Role.REVIEWER, "<title>My reviews ·"),
    Page("/reviews/board", Role.BOARD, "<title>Board ·"),
    Page("/grants/manage", Role.FUND_MANAGER, "<title>Grants ·"),
    Page("/grants/manage?sort=organisation&dir=asc&q=a", Role.FUND_MANAGER, "<title>Grants ·"),
    Page("/grants/manage?sort=amount&dir=desc&overdue=1", Role.FUND_MANAGER, "<title>Grants ·"),
    Page("/grants/", "applicant_member", "<title>My grants ·"),
    Page("/grants/disbursements", Role.FINANCE, "<title>Disbursements ·"),
    Page(
        "/grants/disbursements?sort=organisation&dir=desc&q=a",
        Role.FINANCE,
        "<title>Disbursements ·",
    ),
    Page("/grants/disbursements?state=overdue&sort=paid", Role.FINANCE, "<title>Disbursements ·"),
    Page("/grants/reports", Role.FUND_MANAGER, "<title>Grant reports ·"),
    Page("/donations/contributions", Role.FINANCE, "<title>Contributions ·"),
    Page("/donations/contributions?sort=donor&dir=asc&q=a", Role.FINANCE, "<title>Contributions ·"),
    Page(
        "/donations/contributions?sort=received&kind=pledge&year=2026",
        Role.FINANCE,
        "<title>Contributions ·",
    ),
    Page("/donations/pledges", Role.FINANCE, "<title>Pledges ·"),
    Page("/donations/bank-receipts", Role.FINANCE, "<title>Bank receipts ·"),
    Page("/donors", "anonymous", "<title>Our donors ·"),
    Page("/ledger/", Role.FINANCE, "<title>Ledger: chart of accounts ·"),
    Page("/ledger/grants", Role.FINANCE, "<title>Grants payable, one account per grant ·"),
    Page("/ledger/donors", Role.FINANCE, "<title>Pledges receivable, one account per donor ·"),
    Page(_fund_statement, Role.FINANCE, "<title>Statement: Fund balance available for grants ·"),
    Page(_first_transfer, Role.FINANCE, "<title>Transfer 1 ·"),
    Page("/audit/", Role.AUDITOR, "<title>Audit log ·"),
    Page("/admin/users", Role.ADMIN, "<title>Users ·"),
    Page("/dashboard", Role.FUND_MANAGER, "<title>Dashboard ·"),
    Page("/dashboard", Role.BOARD, "<title>Dashboard ·"),
    Page("/dashboard", Role.FINANCE, "<title>Dashboard ·"),  # its work queue
    Page("/reports/statement", Role.FINANCE, "<title>Statement for a period ·"),
    Page("/reports/annual", Role.BOARD, "<title>Annual report "),
    Page("/transparency", "anonymous", "<title>Transparency ·"),
    Page("/api/v1/transparency", "anonymous", '"donors":'),
]


def _grow(n: int, seed: int) -> None:
    FundGenerator(sized(n), advance=lambda _n: None, seed=seed).run()
    # The triggers added a row of running totals per gift and receipt: summed, as the scale
    # generator does and the beat every minute (decisions 0122, 0123), so pages read them as
    # they are in production.
    compact_running_totals()
    db.session.flush()


def _join_every_organisation(user: User) -> None:
    member_of = {m.organisation_id for m in user.memberships}
    for organisation in db.session.execute(sa.select(Organisation)).scalars():
        if organisation.id not in member_of:
            MembershipFactory(user=user, organisation=organisation)
    db.session.flush()
    db.session.expire(user)


def _sign_in(client: Any, user_id: str | None) -> None:
    if user_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True


def _measure(app: Any, users: dict[str, User | None]) -> dict[str, list[str]]:
    ids = {role: user.get_id() if user else None for role, user in users.items()}
    counts = {}
    for page in PAGES:
        url = page.resolve()
        client = app.test_client()
        _sign_in(client, ids[page.role])
        client.get(url)  # warm-up: caches, first-use lookups
        # Requests share the test's session: start each one empty, as in production.
        db.session.expunge_all()
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, page.role, response.status_code)
        assert page.shows in response.get_data(as_text=True), (url, page.role, page.shows)
        counts[page.label] = statements
    return counts


def _shape(statement: str) -> str:
    return re.sub(r"sa_savepoint_\d+", "sa_savepoint", statement)[:160]


def _repeated(small: list[str], large: list[str]) -> list[str]:
    """The statements run more often with more data: where the N+1 is."""
    extra = Counter(_shape(s) for s in large)
    extra.subtract(Counter(_shape(s) for s in small))
    return [statement for statement, count in extra.items() if count > 0][:3]


def test_page_query_counts_do_not_grow_with_the_data(app):
    users: dict[str, User | None] = {
        role.value: user_with(role)
        for role in (Role.FUND_MANAGER, Role.REVIEWER, Role.BOARD, Role.FINANCE, Role.AUDITOR)
    }
    users[Role.ADMIN.value] = user_with(Role.ADMIN)
    users["applicant_member"] = user_with(Role.APPLICANT)
    users["anonymous"] = None

    _grow(10, seed=1)
    _join_every_organisation(users["applicant_member"])
    small = _measure(app, users)
    _grow(20, seed=2)
    users = {role: db.session.merge(user) if user else None for role, user in users.items()}
    _join_every_organisation(users["applicant_member"])
    large = _measure(app, users)

    grew = {
        page: (len(small[page]), len(large[page]), _repeated(small[page], large[page]))
        for page in small
        if len(small[page]) != len(large[page])
    }
    assert grew == {}, f"queries per page (10 rows -> 30 rows) grew: {grew}"
    assert list(small) == list(large) == [page.label for page in PAGES]
