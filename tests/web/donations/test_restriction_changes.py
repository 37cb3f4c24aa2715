"""Finance restricts a pledge from its page as the fresh-eyes test did: a country outside the
chosen region is refused next to the field, a reversed period next to the dates; the terms can
be changed or lifted until money of the pledge arrives, and not after (with the reason)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.donations import services as donations
from app.donations.services.restrictions import RestrictionTerms
from app.funding.models import Restriction
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.funding_support import donor, paid_pledge
from tests.grants_support import USD


def _pledge(officer):
    return donations.make_pledge(
        actor=officer, donor=donor("Japan"), amount=1_000 * USD, currency="USD", year=utcnow().year
    )


def _error_of(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', page, re.S)
    return found.group(1) if found else ""


def _restriction(pledge_id: int) -> Restriction | None:
    return db.session.execute(
        sa.select(Restriction).where(Restriction.pledge_id == pledge_id)
    ).scalar_one_or_none()


def test_a_country_outside_the_region_is_refused_next_to_the_country(client, sign_in):
    officer = user_with(Role.FINANCE)
    pledge = _pledge(officer)
    sign_in(officer)
    answer = client.post(
        f"/donations/pledges/{pledge.id}/restriction", data={"region": "002", "country": "DE"}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "not in the region chosen" in _error_of(page, "country")
    assert 'href="#country"' in page  # the summary links to the field
    assert _restriction(pledge.id) is None


def test_a_reversed_period_is_refused_next_to_the_dates(client, sign_in):
    officer = user_with(Role.FINANCE)
    pledge = _pledge(officer)
    sign_in(officer)
    today = utcnow().date()
    answer = client.post(
        f"/donations/pledges/{pledge.id}/restriction",
        data={"starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()},
    )
    assert answer.status_code == 422
    assert "The period must end after it starts." in _error_of(
        answer.get_data(as_text=True), "ends_on"
    )
    assert _restriction(pledge.id) is None


def test_finance_changes_then_lifts_a_restriction_before_money_arrives(client, sign_in):
    officer = user_with(Role.FINANCE)
    pledge = _pledge(officer)
    sign_in(officer)
    made = client.post(
        f"/donations/pledges/{pledge.id}/restriction", data={"region": "002", "country": "KE"}
    )
    assert made.status_code == 302
    page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "Change or lift the restriction" in page
    form = client.get(f"/donations/pledges/{pledge.id}/restriction").get_data(as_text=True)
    assert '<option selected value="KE">' in form and "Lift the restriction" in form

    # The same contradiction is refused when changing too, and nothing changes.
    bad = client.post(
        f"/donations/pledges/{pledge.id}/restriction", data={"region": "002", "country": "DE"}
    )
    assert bad.status_code == 422 and "not in the region chosen" in _error_of(
        bad.get_data(as_text=True), "country"
    )
    db.session.expire_all()
    assert _restriction(pledge.id).country == "KE"

    changed = client.post(
        f"/donations/pledges/{pledge.id}/restriction", data={"region": "150", "country": "DE"}
    )
    assert changed.status_code == 302
    db.session.expire_all()
    restriction = _restriction(pledge.id)
    assert (restriction.region, restriction.country) == ("150", "DE")

    lifted = client.post(f"/donations/pledges/{pledge.id}/restriction/lift")
    assert lifted.status_code == 302
    db.session.expire_all()
    assert _restriction(pledge.id) is None
    actions = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.changes)
        .where(AuditEvent.subject_id == str(pledge.id), AuditEvent.action.like("pledge.restrict%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a, _c in actions] == [
        "pledge.restricted",
        "pledge.restriction_changed",
        "pledge.restriction_lifted",
    ]
    assert actions[1][1]["country"] == ["KE", "DE"]
    page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "Restrict this pledge" in page


def test_after_money_arrived_the_restriction_is_kept_with_the_reason(client, sign_in):
    officer = user_with(Role.FINANCE)
    pledge, _restricted = paid_pledge(
        donor("Norway"), 500 * USD, terms=RestrictionTerms(country="KE"), actor=officer
    )
    sign_in(officer)
    form = client.get(f"/donations/pledges/{pledge.id}/restriction").get_data(as_text=True)
    assert "can no longer be changed or lifted" in form
    assert "Lift the restriction</button>" not in form
    refused = client.post(f"/donations/pledges/{pledge.id}/restriction", data={"country": "UG"})
    assert refused.status_code == 200
    lifted = client.post(f"/donations/pledges/{pledge.id}/restriction/lift", follow_redirects=True)
    assert "can no longer be changed or lifted" in lifted.get_data(as_text=True)
    db.session.expire_all()
    assert _restriction(pledge.id).country == "KE"
