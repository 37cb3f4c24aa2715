"""The fund's application list as a staff list (app/platform/listing.py): each sortable column
in both directions gives the right order across page boundaries (keyset on (column, id)),
filters combine and are counted, junk in the query string is said and never a 500, and the CSV
holds exactly the rows shown (at once, or through a job over the threshold)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation, Role
from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call
from app.jobs.models import Job
from app.jobs.running import run_due
from app.platform.extensions import db
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with
from tests.settings_support import change_settings


def _references(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<span class="small text-body-secondary">(APP-\d{5})</span>', body)


def _link(html: str, label: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>' + label + "<", html)
    return unescape(match.group(1)) if match else None


def _walk(client, url: str) -> list[str]:
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        seen += _references(html)
        url = _link(html, "Next")
        pages += 1
        assert pages < 20
    return seen


@pytest.fixture
def fund(app):
    FundGenerator(Scale("lists", 2, 4, 60, 2, 3, 1, 80, years=1), advance=lambda n: None).run()


# What each sort key orders by, in Python, for the expected order (ties by id).
_KEYS = {
    "updated": lambda a: a.updated_at,
    "title": lambda a: a.title,
    "organisation": lambda a: a.organisation.name,
    "country": lambda a: a.organisation.country or "",
    "call": lambda a: a.call.reference,
    "requested": lambda a: a.requested_amount,
    "status": lambda a: a.status.value,
}


def _expected(key: str, descending: bool, keep=lambda a: True) -> list[str]:
    rows = [a for a in db.session.scalars(sa.select(Application)) if keep(a)]
    rows.sort(key=lambda a: (_KEYS[key](a), a.id), reverse=descending)
    return [a.reference for a in rows]


@pytest.mark.parametrize("key", sorted(_KEYS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_column_sorts_across_page_boundaries(fund, sign_in, key, direction):
    client = sign_in(user_with(Role.FUND_MANAGER))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) > 50
    assert _walk(client, f"/applications/all?sort={key}&dir={direction}") == _expected(
        key, direction == "desc"
    )


def test_previous_goes_back_to_the_same_rows(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    first = client.get("/applications/all?sort=title&dir=asc").get_data(as_text=True)
    second = client.get(_link(first, "Next")).get_data(as_text=True)
    third = client.get(_link(second, "Next")).get_data(as_text=True)
    back = client.get(_link(third, "Previous")).get_data(as_text=True)
    assert _references(back) == _references(second)


def test_headers_say_the_sort_and_link_to_the_other_direction(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    html = client.get("/applications/all?sort=requested&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1
    assert "sort=requested&amp;dir=asc" in html  # the same header again: the other way
    assert "sort=title&amp;dir=asc" in html


def test_filters_combine_and_are_counted(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    application = db.session.scalars(sa.select(Application).order_by(Application.id)).first()
    country = application.organisation.country
    status = application.status.value
    word = application.organisation.name.split()[0]

    def keep(a: Application) -> bool:
        return (
            a.organisation.country == country
            and a.status.value == status
            and a.call_id == application.call_id
            and (word.lower() in a.organisation.name.lower() or word.lower() in a.title.lower())
        )

    url = (
        f"/applications/all?country={country.lower()}&status={status}"
        f"&call_id={application.call_id}&q={word}&sort=title&dir=asc"
    )
    expected = _expected("title", False, keep)
    assert expected and len(expected) < 60
    assert _walk(client, url) == expected
    html = client.get(url).get_data(as_text=True)
    noun = "application matches" if len(expected) == 1 else "applications match"
    assert f"{len(expected)} {noun}" in html


def test_a_reference_finds_its_application(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    application = db.session.scalars(sa.select(Application).order_by(Application.id)).first()
    html = client.get(f"/applications/all?q={application.reference}").get_data(as_text=True)
    assert application.reference in _references(html)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("sort=password&dir=sideways", "cannot be sorted by “password”"),
        ("dir=sideways", "“sideways” is not a direction"),
        ("status=maybe", "“maybe” is not a status"),
        ("country=France!", "“France!” is not a country code"),
        ("call_id=-1", "“-1” is not a call"),
        ("after=%C3%A9zz&before=zzz", None),
        ("sort=title&after=eyJ4IjoxfQ", None),
        ("q=%25_%5C", None),
        ("sort=" + "x" * 5000, "cannot be sorted by"),
    ],
)
def test_junk_is_said_never_a_server_error(fund, sign_in, query, said):
    client = sign_in(user_with(Role.FUND_MANAGER))
    response = client.get(f"/applications/all?{query}")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    if said:
        assert said in html
        assert 'role="status"' in html


def _csv_references(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0][0] == "reference"
    return [row[0] for row in rows[1:]]


def test_the_csv_holds_exactly_the_rows_shown(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    country = db.session.scalars(
        sa.select(Organisation.country).where(Organisation.country.is_not(None))
    ).first()
    query = f"country={country}&sort=organisation&dir=desc"
    shown = _walk(client, f"/applications/all?{query}")
    html = client.get(f"/applications/all?{query}").get_data(as_text=True)
    csv_url = unescape(re.search(r'href="(/lists/applications\.csv[^"]*)"', html).group(1))
    response = client.get(csv_url, buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert _csv_references(response.data) == shown


def test_a_large_csv_goes_through_a_job_with_the_same_rows(app, fund, sign_in, monkeypatch):
    client = sign_in(user_with(Role.FUND_MANAGER))
    query = "status=submitted&sort=requested&dir=asc"
    shown = _walk(client, f"/applications/all?{query}")
    immediate = client.get(f"/lists/applications.csv?{query}", buffered=True).data
    change_settings(monkeypatch, app, "jobs", export_threshold_rows=0)
    response = client.get(f"/lists/applications.csv?{query}")
    assert response.status_code == 303
    job = db.session.execute(sa.select(Job)).scalar_one()
    assert response.location.endswith(f"/jobs/{job.id}")
    assert job.kind == "lists.applications_csv" and job.progress_total == len(shown)
    assert run_due().done == 1
    download = client.get(f"/jobs/{job.id}/download", buffered=True)
    assert download.data == immediate
    assert _csv_references(download.data) == shown


def test_the_csv_needs_the_list_and_export_rights(fund, sign_in):
    client = sign_in(user_with(Role.REVIEWER))
    assert client.get("/lists/applications.csv").status_code == 403
    assert client.get("/lists/nothing.csv").status_code == 404


def test_statuses_and_calls_exist_for_the_filters(fund):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) >= 1
    assert {a.status for a in db.session.scalars(sa.select(Application))} & set(ApplicationStatus)


def _forged(*packed) -> str:
    import base64
    import json

    text = json.dumps(list(packed))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("updated", _forged("s", "not a time", 1)),
        ("updated", _forged("t", "2020-01-01T00:00:00", 1)),  # no time zone
        ("requested", _forged("s", "abc", 1)),
        ("requested", _forged("i", 10**30, 1)),
        ("title", _forged("i", 5, 1)),
        ("title", _forged("s", "a\u0000b", 1)),
        ("title", _forged("s", "a", 10**30)),
        ("status", _forged("d", "2020-01-01", 1)),
        ("country", _forged("s", ["x"], 1)),
        ("call", _forged("q", "x", 1)),
    ],
)
def test_a_forged_cursor_gives_the_first_page(fund, sign_in, sort, cursor):
    client = sign_in(user_with(Role.FUND_MANAGER))
    first = _references(client.get(f"/applications/all?sort={sort}&dir=asc").get_data(as_text=True))
    for name in ("after", "before"):
        response = client.get(f"/applications/all?sort={sort}&dir=asc&{name}={cursor}")
        assert response.status_code == 200
        assert _references(response.get_data(as_text=True)) == first
