"""The copied-proposal pages: the screener's checklist says how much text is shared and links to
the side-by-side page; the fund manager's queue lists the pair; the NGO never sees any of it."""

from __future__ import annotations

import random
import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.copies.models import CopyFlag
from app.platform.extensions import db
from tests.applications_support import applicant_of, storage  # noqa: F401
from tests.copies_support import copy_of, proposal, submitted_with_text
from tests.factories import user_with


@pytest.fixture
def pair(app, storage):  # noqa: F811
    rng = random.Random(11)
    source = proposal(rng, 900)
    copied, _ = copy_of(rng, source)
    original = submitted_with_text(storage, source, name="Dawn Shelter")
    copy = submitted_with_text(storage, copied, name="Sunrise Refuge")
    [flag] = db.session.execute(sa.select(CopyFlag)).scalars().all()
    return original, copy, flag


def test_the_screener_sees_the_share_and_the_passages_side_by_side(client, sign_in, pair):
    original, copy, flag = pair
    sign_in(user_with(Role.FUND_MANAGER))
    page = client.get(f"/reviews/applications/{copy.id}/screen").get_data(as_text=True)
    share = round(flag.share_of(copy.id) * 100)
    assert f"Shares {share}% of its text with {original.reference}" in page
    assert "Dawn Shelter" in page and original.call.reference in page
    assert f"/screening/copies/{flag.id}" in page

    response = client.get(f"/screening/copies/{flag.id}")
    assert response.status_code == 200
    side_by_side = response.get_data(as_text=True)
    assert side_by_side.count("<mark") >= 2  # highlighted in both texts
    assert original.reference in side_by_side and copy.reference in side_by_side
    assert "The shared passages" in side_by_side

    queue = client.get("/screening/").get_data(as_text=True)
    assert "Copied proposals" in queue and f"/screening/copies/{flag.id}" in queue


def test_in_french_the_share_is_written_the_french_way(client, sign_in, pair):
    _, copy, flag = pair
    sign_in(user_with(Role.FUND_MANAGER))
    client.post("/language", data={"language": "fr"})
    share = round(flag.share_of(copy.id) * 100)
    page = client.get(f"/reviews/applications/{copy.id}/screen").get_data(as_text=True)
    assert f"{share}\u00a0%" in page
    assert client.get(f"/screening/copies/{flag.id}").status_code == 200


def test_the_ngo_never_sees_the_flag(client, sign_in, pair):
    original, copy, flag = pair
    for application in (copy, original):
        sign_in(applicant_of(application.organisation))
        assert client.get(f"/screening/copies/{flag.id}").status_code in (403, 404)
        for path in (
            f"/applications/{application.id}",
            f"/applications/{application.id}/print",
            "/applications/",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            page = response.get_data(as_text=True)
            assert "Shares" not in page and "copies" not in page and "Copied" not in page
        client.post("/logout")


@pytest.mark.parametrize(
    "role", [Role.REVIEWER, Role.FINANCE, Role.DONOR, Role.BOARD, Role.ADMIN, Role.AUDITOR]
)
def test_other_roles_cannot_open_the_pair(client, sign_in, pair, role):
    _, _, flag = pair
    sign_in(user_with(role))
    assert client.get(f"/screening/copies/{flag.id}").status_code == 403


def test_a_screener_of_either_organisation_gets_a_404(client, sign_in, pair):
    from tests.reviews_support import link_to_organisation

    _, copy, flag = pair
    manager = user_with(Role.FUND_MANAGER)
    link_to_organisation(manager, copy)
    sign_in(manager)
    assert client.get(f"/screening/copies/{flag.id}").status_code == 404


def test_the_screener_records_a_decision_on_the_pair_page(client, sign_in, pair):
    _, copy, flag = pair
    manager = user_with(Role.FUND_MANAGER)
    sign_in(manager)
    page = client.get(f"/screening/copies/{flag.id}").get_data(as_text=True)
    assert "Waiting for a screener&#39;s decision." in page or "Waiting for a screener's" in page
    queue = client.get("/screening/").get_data(as_text=True)
    assert "Waiting" in queue

    made = client.post(
        f"/screening/copies/{flag.id}/decision",
        data={"decision": "cleared", "reason": "Both NGOs are partners in one consortium."},
    )

    assert made.status_code == 302
    page = client.get(f"/screening/copies/{flag.id}").get_data(as_text=True)
    assert "Not a concern" in page and "Both NGOs are partners in one consortium." in page
    assert manager.full_name in page and "Change the decision" in page
    screen = client.get(f"/reviews/applications/{copy.id}/screen").get_data(as_text=True)
    assert "Not a concern" in screen
    db.session.refresh(flag)
    assert flag.decision == "cleared"


def test_a_decision_without_a_reason_is_refused_next_to_the_field(client, sign_in, pair):
    _, _, flag = pair
    sign_in(user_with(Role.FUND_MANAGER))
    client.post("/language", data={"language": "fr"})

    refused = client.post(f"/screening/copies/{flag.id}/decision", data={"decision": "confirmed"})

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="reason-error"' in html and 'aria-invalid="true"' in html
    [chosen] = [tag for tag in re.findall(r"<input[^>]*>", html) if 'value="confirmed"' in tag]
    assert " checked" in chosen  # what was chosen stays chosen
    db.session.refresh(flag)
    assert flag.decision is None


def test_nobody_outside_the_screeners_records_a_decision(client, sign_in, pair):
    original, copy, flag = pair
    for application in (copy, original):
        sign_in(applicant_of(application.organisation))
        answer = client.post(
            f"/screening/copies/{flag.id}/decision", data={"decision": "cleared", "reason": "x"}
        )
        assert answer.status_code in (403, 404)
        client.post("/logout")
    sign_in(user_with(Role.FINANCE))
    assert (
        client.post(
            f"/screening/copies/{flag.id}/decision", data={"decision": "cleared", "reason": "x"}
        ).status_code
        == 403
    )
    db.session.refresh(flag)
    assert flag.decision is None
