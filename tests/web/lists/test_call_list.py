"""The fund's calls a page at a time: the fund manager's calls (/calls/manage, a staff list:
sorts both ways across page boundaries, status and words filters counted, the CSV is what is
shown), the selection overview (/reviews/) and the Board's packs and meetings (/reviews/board),
each reaching every call or meeting through its pages, with the page's figures right."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call, CallStatus
from app.platform.extensions import db
from app.reviews.models import BoardDecision, BoardMeeting, MeetingStatus
from devtools.seed.scale import FundGenerator, Scale
from tests.factories import user_with

PACK = (ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED, ApplicationStatus.RESERVE)


@pytest.fixture
def fund(app):
    # 60 calls (more than two pages of 25), 240 applications spread over them.
    FundGenerator(Scale("calls", 60, 10, 240, 20, 3, 2, 600, years=1), advance=lambda n: None).run()
    db.session.flush()


def _next(html: str) -> str | None:
    found = re.search(r'<a class="page-link" href="([^"#]+)"[^>]*>Next<', html)
    return unescape(found.group(1)) if found else None


def _whole(html: str) -> str:
    return html


def _packs(html: str) -> str:
    return html.split('id="meetings-heading"', 1)[0]


def _meetings(html: str) -> str:
    return html.split('id="meetings-heading"', 1)[1]


def _walk(client, url: str, rows: str, part=_whole) -> list[str]:
    seen: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = part(response.get_data(as_text=True))
        seen += re.findall(rows, html)
        url = _next(html)
        assert len(seen) < 500
    return seen


_MANAGE_ROW = r'<td>([^<]+)</td>\s*<td><a href="/calls/\d+">'


def _calls(keep=lambda c: True) -> list[Call]:
    return [c for c in db.session.scalars(sa.select(Call)) if keep(c)]


_KEYS = {
    "deadline": lambda c: c.closes_at,
    "reference": lambda c: c.reference,
    "status": lambda c: c.status.value,
}


@pytest.mark.parametrize("key", sorted(_KEYS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_manage_sorts_across_page_boundaries(fund, sign_in, key, direction):
    client = sign_in(user_with(Role.FUND_MANAGER))
    calls = _calls()
    assert len(calls) > 50
    calls.sort(key=lambda c: (_KEYS[key](c), c.id), reverse=direction == "desc")
    seen = _walk(client, f"/calls/manage?sort={key}&dir={direction}", _MANAGE_ROW)
    assert seen == [c.reference for c in calls]


def test_manage_latest_deadline_first_page_of_25_with_counts(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    html = client.get("/calls/manage").get_data(as_text=True)
    calls = sorted(_calls(), key=lambda c: (c.closes_at, c.id), reverse=True)
    assert re.findall(_MANAGE_ROW, html) == [c.reference for c in calls[:25]]
    assert f"{len(calls)} calls match" in html
    counts = dict(
        db.session.execute(
            sa.select(Application.call_id, sa.func.count()).group_by(Application.call_id)
        ).all()
    )
    for call in calls[:25]:
        link = f'<a href="/applications/all?call_id={call.id}">{counts.get(call.id, 0)}</a>'
        assert link in html


def test_manage_filters_counted_and_csv_is_what_is_shown(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    published = _calls(lambda c: c.status == CallStatus.PUBLISHED)
    html = client.get("/calls/manage?status=published").get_data(as_text=True)
    assert re.findall(_MANAGE_ROW, html) == [c.reference for c in published]
    some = sorted(_calls(), key=lambda c: c.id)[7]
    url = f"/calls/manage?q={some.reference.lower()}&sort=reference&dir=asc"
    html = client.get(url).get_data(as_text=True)
    assert re.findall(_MANAGE_ROW, html) == [some.reference]
    assert "1 call matches" in html
    csv_url = unescape(re.search(r'href="(/lists/calls\.csv[^"]*)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(csv_url, buffered=True).data.decode())))
    assert rows[0][0] == "reference" and [row[0] for row in rows[1:]] == [some.reference]
    title = some.title_in("en").split(":")[0]  # "Call 2026-8"
    html = client.get(f"/calls/manage?q={title}").get_data(as_text=True)
    assert some.reference in re.findall(_MANAGE_ROW, html)


def test_manage_finds_accented_words_of_a_title_in_any_order(fund, sign_in):
    # A title in French, with letters the JSON text of the titles writes as escapes.
    some = sorted(_calls(), key=lambda c: c.id)[3]
    some.title = {**some.title, "fr": "Réinsertion des survivantes : accès à la justice"}
    db.session.flush()
    client = sign_in(user_with(Role.FUND_MANAGER))
    for words in ("réinsertion", "accès justice", "justice Réinsertion", "à la"):
        html = client.get("/calls/manage", query_string={"q": words}).get_data(as_text=True)
        assert re.findall(_MANAGE_ROW, html) == [some.reference], words
    html = client.get("/calls/manage", query_string={"q": "accès nulle-part"}).get_data(
        as_text=True
    )
    assert re.findall(_MANAGE_ROW, html) == []


def test_manage_junk_is_said_not_an_error(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    response = client.get("/calls/manage?sort=nope&status=lost&after=%%%")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "cannot be sorted by “nope”" in html and "“lost” is not a status" in html


def test_selection_overview_reaches_every_call_a_page_at_a_time(fund, sign_in):
    client = sign_in(user_with(Role.FUND_MANAGER))
    calls = sorted(
        _calls(lambda c: c.status != CallStatus.DRAFT),
        key=lambda c: (c.closes_at, c.id),
        reverse=True,
    )
    row = r'<td><a href="/reviews/calls/\d+">([^<]+)</a>'
    first = client.get("/reviews/").get_data(as_text=True)
    assert len(re.findall(row, first)) == 25
    assert _walk(client, "/reviews/", row) == [c.reference for c in calls]
    # The figures of the page's calls: its applications by stage.
    call = calls[0]
    in_review = db.session.scalar(
        sa.select(sa.func.count()).where(
            Application.call_id == call.id, Application.status == ApplicationStatus.IN_REVIEW
        )
    )
    cells = first.split(f"/reviews/calls/{call.id}", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="text-end">(\d+)</td>', cells)[1] == str(in_review)


def test_board_pages_its_packs_and_its_meetings_apart(fund, sign_in):
    client = sign_in(user_with(Role.BOARD))
    before = sa.select(Application.call_id).where(Application.status.in_(PACK)).distinct()
    with_pack = sorted(
        _calls(lambda c: c.status != CallStatus.DRAFT and c.id in set(db.session.scalars(before))),
        key=lambda c: (c.closes_at, c.id),
        reverse=True,
    )
    assert len(with_pack) > 25
    first_call = with_pack[0]
    # 30 meetings, the latest with two decisions.
    manager = user_with(Role.FUND_MANAGER)
    meetings = [
        BoardMeeting(
            held_on=date(2026, 1, 1) + timedelta(days=i),
            quorum=1,
            status=MeetingStatus.CLOSED,
            notes=f"meeting {i}",
            created_by_id=manager.id,
        )
        for i in range(30)
    ]
    db.session.add_all(meetings)
    db.session.flush()
    decided = db.session.scalars(
        sa.select(Application).where(Application.status == ApplicationStatus.REJECTED).limit(2)
    ).all()
    for application in decided:
        db.session.add(
            BoardDecision(
                application_id=application.id,
                meeting_id=meetings[-1].id,
                outcome="rejected",
                rationale="",
                recorded_by_id=manager.id,
            )
        )
    db.session.flush()

    pack = r'<li><a href="/reviews/calls/\d+/board-pack">([^ <]+) —'
    meeting = r'<td><a href="/reviews/board/meetings/\d+">(BM-\d+)</a>'
    html = client.get("/reviews/board").get_data(as_text=True)
    assert len(re.findall(pack, html)) == 25 and len(re.findall(meeting, html)) == 25
    count = db.session.scalar(
        sa.select(sa.func.count()).where(
            Application.call_id == first_call.id, Application.status.in_(PACK)
        )
    )
    assert f"{first_call.reference} — " in html and f"({count} application" in html
    latest = html.split(meetings[-1].reference, 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="text-end">(\d+)</td>', latest) == ["0", "2"]

    assert _walk(client, "/reviews/board", pack, _packs) == [c.reference for c in with_pack]
    expected = [m.reference for m in sorted(meetings, key=lambda m: m.held_on, reverse=True)]
    assert _walk(client, "/reviews/board", meeting, _meetings) == expected
    # Paging one list keeps where the other is.
    second_packs = _next(_packs(html))
    assert second_packs and "meetings_" not in second_packs
    other = client.get(second_packs).get_data(as_text=True)
    assert re.findall(pack, _packs(other))[0] == with_pack[25].reference
    meetings_next = _next(_meetings(other))
    assert "meetings_after=" in meetings_next
    assert re.search(r"[?&]after=", meetings_next)


def test_board_meetings_are_dated_the_readers_way(app, sign_in):
    manager = user_with(Role.FUND_MANAGER)
    meeting = BoardMeeting(
        held_on=date(2026, 10, 8),
        quorum=1,
        status=MeetingStatus.CLOSED,
        notes="October",
        created_by_id=manager.id,
    )
    db.session.add(meeting)
    db.session.flush()
    client = sign_in(user_with(Role.BOARD))
    french = {"Accept-Language": "fr"}
    board = unescape(client.get("/reviews/board", headers=french).get_data(as_text=True))
    page = unescape(
        client.get(f"/reviews/board/meetings/{meeting.id}", headers=french).get_data(as_text=True)
    )
    for html in (board, page):
        assert "8 oct. 2026" in html and "2026-10-08" not in html
