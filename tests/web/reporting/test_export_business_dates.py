"""The contributions export dates a pledge as the contributions list does (the day it was
confirmed), and its period filters on that day, not on when the row was loaded."""

from __future__ import annotations

import csv
import io
from datetime import date

from app.accounts.models import Role
from app.donations import services as donations
from app.platform.db import utcnow
from tests.factories import user_with
from tests.funding_support import donor
from tests.grants_support import USD


def _export(client, start: date, end: date) -> list[dict[str, str]]:
    response = client.get(
        f"/reports/exports?table=contributions&format=csv&start={start}&end={end}", buffered=True
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_an_export_for_june_lists_the_pledge_the_list_shows_in_june(client, sign_in):
    officer = user_with(Role.FINANCE)
    year = utcnow().year
    june = date(year, 6, 15)
    pledge = donations.make_pledge(
        actor=officer, donor=donor("Japan"), amount=30_000 * USD, currency="USD", year=year
    )
    donations.confirm_pledge(actor=officer, pledge=pledge, on=june)
    sign_in(officer)

    listing = client.get("/donations/contributions").get_data(as_text=True)
    assert june.isoformat() in listing  # the day the screen shows

    rows = _export(client, date(year, 6, 1), date(year, 6, 30))
    pledges = [r for r in rows if r["type"] == "pledge" and r["id"] == str(pledge.id)]
    assert len(pledges) == 1 and pledges[0]["date"] == june.isoformat()

    today = utcnow().date()
    if today.month != 6:
        later = _export(client, today, today)
        assert not [r for r in later if r["type"] == "pledge" and r["id"] == str(pledge.id)]
