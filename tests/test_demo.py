"""The demo data of `make run`: loads twice without duplicates, and every demo login works."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.platform.extensions import db
from devtools.seed.people import DEMO_PASSWORD, DEMO_USERS, demo_email


def test_demo_loads_idempotently_and_prints_the_logins(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == count
    for login in DEMO_USERS:
        assert demo_email(login) in second.output
    assert DEMO_PASSWORD in second.output


def test_every_demo_login_signs_in_through_the_form(runner, client):
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    for login in DEMO_USERS:
        response = client.post(
            "/login", data={"email": demo_email(login), "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, f"{login}: {response.status_code}"
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_the_demo_has_a_restricted_pledge_partly_used_by_grants(runner, client):
    from app.funding.models import Restriction
    from app.funding.services import grant_sources
    from app.grants.models import Grant
    from app.grants.services import grant_ledger_account
    from app.ledger.verify import verify_ledger
    from app.reporting.balances import key_figures

    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    [restriction] = db.session.scalars(select(Restriction)).all()
    assert restriction.country == "NG" and restriction.ends_on is not None
    funded = [
        grant
        for grant in db.session.scalars(select(Grant))
        if any(
            s.restriction_id == restriction.id
            for s in grant_sources(grant_ledger_account(grant).id)
        )
    ]
    assert funded  # a Nigerian grant was paid from it
    assert 0 < key_figures().restricted < 25_000_00  # partly used
    assert verify_ledger().ok
    client.post("/login", data={"email": demo_email("finance"), "password": DEMO_PASSWORD})
    page = client.get("/donations/restricted").get_data(as_text=True)
    assert "Sweden" in page and "table-warning" in page  # flagged: it ends within 6 months
