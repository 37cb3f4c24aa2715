"""Every list and dashboard page runs the same number of SQL queries whatever the data size.

The fund is generated twice as big in between (``devtools.seed.scale``: about 10, then about 30 rows
of each kind: calls, organisations, applications, grants, donors, gifts, transfers...), and each
page is fetched by a user of the role that uses it. A query per row (an N+1) shows up as a
difference. Pages of areas not built yet (reporting) are skipped until their URL exists.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.domain.accounts.models import Organisation, Role, User
from app.domain.ledger import chart
from app.domain.ledger.models import Transfer
from app.extensions import db
from devtools.seed.scale import FundGenerator, sized
from tests.factories import MembershipFactory, user_with
from tests.statements import counting


@dataclass(frozen=True)
class Page:
    url: str | Callable[[], str]
    role: str  # a Role value, "applicant_member" (member of every organisation) or "anonymous"

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
    Page("/applications/all", Role.FUND_MANAGER),
    Page("/applications/all?status=approved", Role.FUND_MANAGER),
    Page("/applications/", "applicant_member"),
    Page("/calls/", "anonymous"),
    Page("/calls/manage", Role.FUND_MANAGER),
    Page("/organisations/", Role.FUND_MANAGER),
    Page("/reviews/", Role.FUND_MANAGER),
    Page("/reviews/mine", Role.REVIEWER),
    Page("/reviews/board", Role.BOARD),
    Page("/grants/manage", Role.FUND_MANAGER),
    Page("/grants/", "applicant_member"),
    Page("/grants/disbursements", Role.FINANCE),
    Page("/grants/reports", Role.FUND_MANAGER),
    Page("/donations/contributions", Role.FINANCE),
    Page("/donations/pledges", Role.FINANCE),
    Page("/donations/bank-receipts", Role.FINANCE),
    Page("/donors", "anonymous"),
    Page("/ledger/", Role.FINANCE),
    Page("/ledger/grants", Role.FINANCE),
    Page("/ledger/donors", Role.FINANCE),
    Page(_fund_statement, Role.FINANCE),
    Page(_first_transfer, Role.FINANCE),
    Page("/audit/", Role.AUDITOR),
    Page("/admin/users", Role.ADMIN),
    # Reporting (issue 8): counted as soon as the pages exist.
    Page("/dashboard", Role.FUND_MANAGER),
    Page("/dashboard", Role.BOARD),
    Page("/reports/statement", Role.FINANCE),
    Page("/reports/annual", Role.BOARD),
    Page("/transparency", "anonymous"),
    Page("/api/v1/transparency", "anonymous"),
]


def _exists(app: Any, url: str) -> bool:
    try:
        app.url_map.bind("localhost").match(url.split("?")[0])
    except NotFound:
        return False
    return True


def _grow(n: int, seed: int) -> None:
    FundGenerator(sized(n), advance=lambda _n: None, seed=seed).run()
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
        if not _exists(app, url):
            continue
        client = app.test_client()
        _sign_in(client, ids[page.role])
        client.get(url)  # warm-up: caches, first-use lookups
        # Requests share the test's session: start each one empty, as in production.
        db.session.expunge_all()
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, page.role, response.status_code)
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
    # The walk really covered the pages (not all skipped as missing).
    assert len(small) >= 24
