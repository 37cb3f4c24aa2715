"""The calls pages: deadlines in the reader's time zone with the zone named, the fund manager's
editor, and the JSON feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.calls import services as calls
from app.calls.models import Call, CallStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.applications_support import call_details, fund_manager, open_call
from tests.factories import user_with

DEADLINE = datetime(2099, 1, 15, 22, 59, tzinfo=UTC)


def text(response) -> str:
    """The page's visible text, with the narrow spaces CLDR puts before AM/PM made plain."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    body = body.replace("\u202f", " ").replace("\xa0", " ").replace("&#39;", "'")
    return re.sub(r"\s+", " ", body)


def test_visitors_see_the_deadline_in_utc_and_in_the_calls_own_zone(client):
    call = open_call(closes_at=DEADLINE, timezone="Europe/Vienna")
    for url in ("/calls/", f"/calls/{call.id}"):
        page = text(client.get(url))
        assert "January 15, 2099, 10:59 PM (UTC)" in page
        assert "January 15, 2099, 11:59 PM (Europe/Vienna)" in page


def test_a_signed_in_user_sees_the_deadline_in_their_own_zone(client, sign_in):
    call = open_call(closes_at=DEADLINE, timezone="Europe/Vienna")
    sign_in(user_with(Role.APPLICANT, timezone="America/Lima"))
    page = text(client.get(f"/calls/{call.id}"))
    assert "January 15, 2099, 5:59 PM (America/Lima)" in page
    assert "(UTC)" not in page


def test_the_deadline_is_shown_in_french_dates_for_french_readers(client):
    call = open_call(closes_at=DEADLINE, timezone="Europe/Vienna")
    page = text(client.get(f"/calls/{call.id}", headers={"Accept-Language": "fr"}))
    assert "15 janvier 2099, 22:59 (UTC)" in page
    assert "Subventions d'urgence" in page  # the call's French title


def test_draft_calls_are_not_public(client, sign_in):
    manager = fund_manager()
    draft = calls.create_call(actor=manager, details=call_details(reference="DRAFT-1"))
    assert client.get(f"/calls/{draft.id}").status_code == 404
    assert "DRAFT-1" not in client.get("/calls/").get_data(as_text=True)
    sign_in(manager)
    assert client.get(f"/calls/{draft.id}").status_code == 200


def test_past_calls_are_listed_only_on_request(client):
    now = utcnow()
    open_call(
        reference="PAST-1", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=2)
    )
    assert "PAST-1" not in client.get("/calls/").get_data(as_text=True)
    assert "PAST-1" in client.get("/calls/?show=all").get_data(as_text=True)


def call_form(**overrides) -> dict[str, str]:
    data = {
        "reference": "SGP1-2030",
        "window": "emergency",
        "title_en": "Emergency grants 2030",
        "title_fr": "Subventions d'urgence 2030",
        "description_en": "For organisations assisting victims directly.",
        "opens_at": "2030-03-01T09:00",
        "closes_at": "2030-03-31T23:59",
        "timezone": "Europe/Vienna",
        "currency": "USD",
        "envelope": "250000",
        "max_amount": "",
        "max_duration_months": "",
        "situations": ["armed_conflict", "climate_change"],
        "languages": ["en", "fr"],
        "eligible_countries": ["NG", "PH"],
        "documents_proposal": "1",
        "documents_reference_letter": "2",
        "criteria-0-name": "Relevance",
        "criteria-0-weight": "60",
        "criteria-1-name": "Capacity",
        "criteria-1-weight": "40",
        "criteria-2-name": "",
        "criteria-2-weight": "",
    }
    data.update(overrides)
    return data


def test_a_fund_manager_drafts_and_publishes_a_call(client, sign_in):
    sign_in(fund_manager())
    response = client.post("/calls/new", data=call_form())
    assert response.status_code == 302, text(response)
    call = db.session.execute(select(Call).where(Call.reference == "SGP1-2030")).scalar_one()
    # Times are read in the call's zone: 09:00 in Vienna in winter is 08:00 UTC; on 31 March
    # 2030 summer time has begun, so 23:59 there is 21:59 UTC.
    assert call.opens_at == datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2030, 3, 31, 21, 59, tzinfo=UTC)
    assert (call.max_amount, call.max_duration_months) == (20_000_00, 9)  # the window's caps
    assert call.envelope == 250_000_00
    assert call.title == {"en": "Emergency grants 2030", "fr": "Subventions d'urgence 2030"}
    assert call.required_documents == {"proposal": 1, "reference_letter": 2}
    assert [(c.name, str(c.weight)) for c in call.criteria] == [
        ("Relevance", "60.00"),
        ("Capacity", "40.00"),
    ]
    assert call.status == CallStatus.DRAFT
    client.post(f"/calls/{call.id}/publish")
    db.session.refresh(call)
    assert call.status == CallStatus.PUBLISHED


def test_the_manage_card_offers_the_calls_next_move(client, sign_in):
    """Publishing is offered for a draft not ready yet (pressing it says what is missing);
    each later state offers its one next move, and a decided call none. Closed calls are no
    longer edited."""
    manager = fund_manager()
    sign_in(manager)
    buttons = ("Publish", "Close the call", "Mark as decided")

    def offered(call: Call) -> list[str]:
        page = client.get(f"/calls/{call.id}").get_data(as_text=True)
        edit = [f"/calls/{call.id}/edit"] if f'href="/calls/{call.id}/edit"' in page else []
        return edit + [b for b in buttons if f'type="submit">{b}</button>' in page]

    draft = calls.create_call(
        actor=manager, details=call_details(reference="SGP1-DRAFT", criteria=[])
    )
    assert offered(draft) == [f"/calls/{draft.id}/edit", "Publish"]
    client.post(f"/calls/{draft.id}/publish")
    db.session.refresh(draft)
    assert draft.status == CallStatus.DRAFT  # refused: no scoring criterion
    call = open_call(manager, reference="SGP1-MOVES")
    assert offered(call) == [f"/calls/{call.id}/edit", "Close the call"]
    calls.close_call(actor=manager, call=call)
    assert offered(call) == ["Mark as decided"]
    calls.decide_call(actor=manager, call=call)
    assert offered(call) == []


def test_the_editor_shows_saved_times_in_the_calls_zone(client, sign_in):
    manager = fund_manager()
    sign_in(manager)
    client.post("/calls/new", data=call_form())
    call = db.session.execute(select(Call).where(Call.reference == "SGP1-2030")).scalar_one()
    page = client.get(f"/calls/{call.id}/edit").get_data(as_text=True)
    assert 'value="2030-03-31T23:59"' in page
    assert 'value="20000.00"' in page


def test_a_call_closing_before_it_opens_is_refused_with_a_message(client, sign_in):
    sign_in(fund_manager())
    response = client.post("/calls/new", data=call_form(closes_at="2030-02-01T10:00"))
    assert response.status_code == 200
    assert "The call must close after it opens." in text(response)
    assert db.session.execute(select(Call)).first() is None


def test_applicants_cannot_open_the_editor(client, sign_in):
    sign_in(user_with(Role.APPLICANT))
    assert client.get("/calls/new").status_code == 403
    assert client.post("/calls/new", data=call_form()).status_code == 403


def test_the_json_feed_lists_public_calls_with_exact_amounts_and_utc_times(client):
    manager = fund_manager()
    call = open_call(manager, closes_at=DEADLINE, eligible_countries=["NG"])
    calls.create_call(actor=manager, details=call_details(reference="HIDDEN"))
    response = client.get("/api/v1/calls")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    feed = response.get_json()
    assert [c["reference"] for c in feed["calls"]] == [call.reference]
    item = feed["calls"][0]
    assert item["closes_at"] == "2099-01-15T22:59:00+00:00"
    assert item["timezone"] == "Europe/Vienna"
    assert item["max_grant"] == {"amount_minor": 20_000_00, "currency": "USD"}
    assert item["title"]["fr"] == "Subventions d'urgence"
    assert item["eligible_countries"] == ["NG"]
    assert item["is_open"] is True
    assert item["url"].endswith(f"/calls/{call.id}")


def test_the_feed_includes_past_calls_on_request(client):
    now = utcnow()
    open_call(
        reference="PAST-2", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=2)
    )
    assert client.get("/api/v1/calls").get_json()["calls"] == []
    past = client.get("/api/v1/calls?include=closed").get_json()["calls"]
    assert [(c["reference"], c["is_open"]) for c in past] == [("PAST-2", False)]
