"""The due-diligence queue, a match's page and its clear/confirm forms, by role."""

from __future__ import annotations

import pytest

from app.accounts.models import Membership, Role
from app.platform.extensions import db
from app.screening.models import HitStatus
from tests.applications_support import ngo_organisation
from tests.factories import user_with
from tests.screening_support import import_test_list, open_hits_of


@pytest.fixture
def hit(app):
    import_test_list()
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    [found] = open_hits_of(organisation.id)
    return found


def test_the_fund_manager_sees_the_open_match_with_its_entry_and_score(client, sign_in, hit):
    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get("/screening/").get_data(as_text=True)
    assert "Blue Horizon Relief Fund" in page
    assert "QDe.903" in page and "BLUE HORIZON RELIEF FUND" in page
    assert ">100<" in page

    detail = client.get(f"/screening/hits/{hit.id}").get_data(as_text=True)
    assert "GREEN CRESCENT TRADING COMPANY" in detail  # the entry's primary name
    assert "a.k.a." in detail
    history = client.get(f"/screening/organisations/{hit.organisation_id}")
    assert "QDe.903" in history.get_data(as_text=True)


def test_clearing_without_a_reason_shows_the_error_next_to_the_field(client, sign_in, hit):
    sign_in(user_with(Role.FUND_MANAGER))
    response = client.post(f"/screening/hits/{hit.id}/clear", data={"reason": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page and "Say why this is not the listed party." in page
    assert 'aria-invalid="true"' in page
    assert hit.status == HitStatus.OPEN


def test_clearing_with_a_reason_ends_the_hold(client, sign_in, hit):
    sign_in(user_with(Role.FUND_MANAGER))
    response = client.post(
        f"/screening/hits/{hit.id}/clear", data={"reason": "Registered in 2019, other country."}
    )
    assert response.status_code == 302
    assert hit.status == HitStatus.CLEARED
    assert "No possible match" in client.get("/screening/").get_data(as_text=True)


def test_confirming_needs_the_box_ticked(client, sign_in, hit):
    sign_in(user_with(Role.FUND_MANAGER))
    refused = client.post(f"/screening/hits/{hit.id}/confirm", data={"reason": ""})
    assert refused.status_code == 422
    assert "Tick the box to confirm the match." in refused.get_data(as_text=True)
    assert hit.status == HitStatus.OPEN

    done = client.post(f"/screening/hits/{hit.id}/confirm", data={"sure": "y"})
    assert done.status_code == 302
    assert hit.status == HitStatus.CONFIRMED


@pytest.mark.parametrize("role", [r for r in Role if r != Role.FUND_MANAGER], ids=lambda r: r.value)
def test_other_roles_cannot_see_or_decide_matches(client, sign_in, hit, role):
    sign_in(user_with(role))
    assert client.get("/screening/").status_code == 403
    assert client.get(f"/screening/hits/{hit.id}").status_code == 403
    assert client.get(f"/screening/organisations/{hit.organisation_id}").status_code == 403
    response = client.post(f"/screening/hits/{hit.id}/clear", data={"reason": "Not them."})
    assert response.status_code == 403
    assert client.post(f"/screening/hits/{hit.id}/confirm", data={"sure": "y"}).status_code == 403
    assert hit.status == HitStatus.OPEN


def test_the_fund_manager_reaches_the_queue_from_the_menu_and_the_organisation(
    client, sign_in, hit
):
    sign_in(user_with(Role.FUND_MANAGER))
    home = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/screening/"' in home and "Due diligence" in home
    organisation = client.get(f"/organisations/{hit.organisation_id}").get_data(as_text=True)
    assert f'href="/screening/organisations/{hit.organisation_id}"' in organisation


def test_the_ngo_sees_no_way_to_the_screening_pages(client, sign_in, hit):
    member = db.session.query(Membership).filter_by(organisation_id=hit.organisation_id).first()
    sign_in(member.user)
    organisation = client.get(f"/organisations/{hit.organisation_id}").get_data(as_text=True)
    assert "/screening/" not in organisation
    assert client.get("/screening/").status_code == 403


def test_before_any_list_is_imported_no_page_says_an_organisation_was_cleared(client, sign_in):
    organisation = ngo_organisation(name="Blue Horizon Relief Fund")
    sign_in(user_with(Role.FUND_MANAGER))
    history = client.get(f"/screening/organisations/{organisation.id}").get_data(as_text=True)
    assert "Not screened yet" in history and "matched the sanctions list" not in history
    assert "flask screening import" in client.get("/screening/").get_data(as_text=True)
