"""Monitoring in the browser's place: the fund manager plans and records a visit with a finding
and a recommendation; the NGO answers it on its grant page (in French), never seeing the staff
notes; another NGO gets nothing; overdue recommendations reach the work queue; the partner score
page proposes a rating a fund manager confirms; every route answers each role as it should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape

from app.accounts.models import Role
from app.applications.models import OrganisationProfile, RiskRating
from app.monitoring.models import (
    ActivityStatus,
    MonitoringActivity,
    MonitoringRecommendation,
    RecommendationStatus,
)
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, manager, signatory
from tests.monitoring_support import recommendation_on

STAFF_NOTE = "Staff-only: the director seemed evasive."


@pytest.fixture
def grant():
    fund(500_000 * USD)
    return active_grant()


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_fund_manager_plans_records_and_recommends(client, sign_in, grant):
    fm = manager()
    sign_in(fm)
    page = _text(client.get(f"/monitoring/grants/{grant.id}"))
    assert "Proposed plan" in page and "Monitoring visit" in page
    today = utcnow().date()
    response = client.post(
        f"/monitoring/grants/{grant.id}/activities",
        data={"kind": "visit", "planned_on": today.isoformat(), "assignee": "Ann Field"},
    )
    assert response.status_code == 302
    activity = db.session.query(MonitoringActivity).filter_by(grant_id=grant.id).one()
    assert activity.status == ActivityStatus.PLANNED and activity.assignee == "Ann Field"
    # A date left out is refused next to its field.
    refused = client.post(
        f"/monitoring/activities/{activity.id}/done", data={"done_on": "", "summary": "x"}
    )
    assert refused.status_code == 422
    assert 'id="done_on-error"' in _text(refused)
    client.post(
        f"/monitoring/activities/{activity.id}/done",
        data={
            "done_on": today.isoformat(),
            "summary": "Shelter visited.",
            "staff_notes": STAFF_NOTE,
        },
    )
    assert activity.status == ActivityStatus.DONE
    # A recommendation without a due date is refused next to the field.
    refused = client.post(
        f"/monitoring/activities/{activity.id}/findings",
        data={"severity": "high", "description": "No receipts.", "recommendation": "Keep them."},
    )
    assert refused.status_code == 422 and 'id="due_on-error"' in _text(refused)
    client.post(
        f"/monitoring/activities/{activity.id}/findings",
        data={
            "severity": "high",
            "description": "No receipts.",
            "recommendation": "Keep a receipt for every cash payment.",
            "due_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    recommendation = db.session.query(MonitoringRecommendation).one()
    assert recommendation.status == RecommendationStatus.OPEN
    page = _text(client.get(f"/monitoring/activities/{activity.id}"))
    assert STAFF_NOTE in page and "Keep a receipt for every cash payment." in page
    assert "Visits, spot checks and recommendations" in _text(client.get(f"/grants/{grant.id}"))


def test_accepting_the_proposed_plan(client, sign_in, grant):
    sign_in(manager())
    response = client.post(f"/monitoring/grants/{grant.id}/plan")
    assert response.status_code == 302
    assert db.session.query(MonitoringActivity).filter_by(grant_id=grant.id).count() == 1


def test_the_ngo_answers_in_french_and_never_sees_staff_notes(client, sign_in, grant):
    fm = manager()
    recommendation = recommendation_on(grant, fm, text="Tenez un registre des reçus.")
    ngo = signatory(grant)
    ngo.locale = "fr"
    db.session.flush()
    sign_in(ngo)
    page = _text(client.get(f"/grants/{grant.id}"))
    assert '<html lang="fr"' in page
    assert "Tenez un registre des reçus." in page
    assert STAFF_NOTE not in page
    page = _text(client.get(f"/monitoring/recommendations/{recommendation.id}"))
    assert STAFF_NOTE not in page and "Visit of the shelter; files checked." in page
    refused = client.post(
        f"/monitoring/recommendations/{recommendation.id}/respond", data={"response": ""}
    )
    assert refused.status_code == 422 and 'id="response-error"' in _text(refused)
    answer = "Registre tenu depuis le 1er mars — « reçus numérotés » ; voir l'annexe."
    response = client.post(
        f"/monitoring/recommendations/{recommendation.id}/respond", data={"response": answer}
    )
    assert response.status_code == 302
    # To the top of the grant page, where the confirmation shows (no anchor scrolling it away).
    assert response.headers["Location"].endswith(f"/grants/{grant.id}")
    assert recommendation.status == RecommendationStatus.RESPONDED
    assert recommendation.response == answer
    assert escape(answer) in _text(client.get(f"/grants/{grant.id}"))
    # The NGO reaches none of the staff pages.
    assert client.get(f"/monitoring/grants/{grant.id}").status_code == 403
    assert (
        client.get(f"/monitoring/activities/{recommendation.finding.activity_id}").status_code
        == 403
    )
    assert client.post(f"/monitoring/recommendations/{recommendation.id}/close").status_code == 403
    # The fund manager closes it.
    sign_in(fm)
    assert escape(answer) in _text(client.get(f"/monitoring/recommendations/{recommendation.id}"))
    client.post(f"/monitoring/recommendations/{recommendation.id}/close")
    assert recommendation.status == RecommendationStatus.CLOSED


def test_another_ngo_gets_nothing(client, sign_in, grant):
    recommendation = recommendation_on(grant)
    other = applicant_of(active_grant().organisation)
    sign_in(other)
    assert client.get(f"/monitoring/recommendations/{recommendation.id}").status_code == 404
    response = client.post(
        f"/monitoring/recommendations/{recommendation.id}/respond", data={"response": "Me too."}
    )
    assert response.status_code == 404
    assert recommendation.status == RecommendationStatus.OPEN


def test_overdue_recommendations_on_the_work_queue_and_the_filtered_list(client, sign_in, grant):
    recommendation = recommendation_on(grant, text="Publish the audited accounts.")
    recommendation.due_on = utcnow().date() - timedelta(days=3)
    db.session.flush()
    sign_in(manager())
    home = _text(client.get("/"))
    assert "Overdue monitoring recommendations" in home
    assert "/monitoring/recommendations?state=overdue" in home
    listed = _text(client.get("/monitoring/recommendations?state=overdue"))
    assert "Publish the audited accounts." in listed
    assert "Publish the audited accounts." not in _text(
        client.get("/monitoring/recommendations?state=closed")
    )


def test_the_partner_score_proposes_and_a_fund_manager_confirms(client, sign_in, grant):
    fm = manager()
    for _ in range(3):
        recommendation_on(grant, fm)
    organisation = grant.organisation
    sign_in(user_with(Role.AUDITOR))
    page = _text(client.get(f"/monitoring/organisations/{organisation.id}"))
    assert "Score: 40 out of 100" in page and "Confirm the rating" not in page
    assert (
        client.post(
            f"/monitoring/organisations/{organisation.id}/rating", data={"rating": "high"}
        ).status_code
        == 403
    )
    sign_in(fm)
    # The organisation's page leads to its score.
    assert f"/monitoring/organisations/{organisation.id}" in _text(
        client.get(f"/organisations/{organisation.id}")
    )
    page = _text(client.get(f"/monitoring/organisations/{organisation.id}"))
    assert "High risk" in page and "-20" in page.replace("+", "")
    response = client.post(
        f"/monitoring/organisations/{organisation.id}/rating", data={"rating": "high"}
    )
    assert response.status_code == 302
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None and profile.risk_rating == RiskRating.HIGH
    assert "score 40" in _text(client.get(f"/monitoring/organisations/{organisation.id}"))


ROLES = [None, *Role]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_every_monitoring_route_for_each_role(client, sign_in, grant, role):
    """Real records, so an allowed role gets the page (200/302/422), a refused one 403 (404
    for the grantee's own staff outside their pages), anonymous the sign-in page."""
    recommendation = recommendation_on(grant)
    activity_id = recommendation.finding.activity_id
    org_id = grant.organisation_id
    staff_view = {Role.FUND_MANAGER, Role.FINANCE, Role.AUDITOR}
    manage = {Role.FUND_MANAGER}
    routes = [
        ("GET", f"/monitoring/grants/{grant.id}", staff_view),
        ("POST", f"/monitoring/grants/{grant.id}/plan", manage),
        ("POST", f"/monitoring/grants/{grant.id}/activities", manage),
        ("GET", f"/monitoring/activities/{activity_id}", staff_view),
        ("POST", f"/monitoring/activities/{activity_id}/done", manage),
        ("POST", f"/monitoring/activities/{activity_id}/findings", manage),
        ("GET", f"/monitoring/recommendations/{recommendation.id}", staff_view),
        ("POST", f"/monitoring/recommendations/{recommendation.id}/close", manage),
        ("POST", f"/monitoring/recommendations/{recommendation.id}/reopen", manage),
        ("GET", "/monitoring/recommendations", staff_view),
        ("GET", f"/monitoring/organisations/{org_id}", staff_view),
        ("POST", f"/monitoring/organisations/{org_id}/rating", manage),
    ]
    user = None
    if role is not None:
        user = user_with(role)
        sign_in(user)
    problems = []
    for method, url, allowed in routes:
        response = client.open(url, method=method, data={})
        status = response.status_code
        if role is None:
            ok = status == 302 and "/login" in response.location
        elif role in allowed:
            ok = status in (200, 302, 400, 409, 422)
        elif method == "GET" and url.startswith("/monitoring/recommendations/"):
            # Open to any signed-in user who may see it (the grantee's staff too): to others
            # it does not exist.
            ok = status == 404
        elif role == Role.APPLICANT and url.startswith("/monitoring/recommendations/"):
            ok = status == 403
        else:
            ok = status == 403
        if not ok:
            problems.append(f"{method} {url}: {status}")
    assert problems == []
    # The grantee's own staff answer their recommendation; nobody else may.
    response = client.post(
        f"/monitoring/recommendations/{recommendation.id}/respond", data={"response": "Done."}
    )
    if role is None:
        assert response.status_code == 302 and "/login" in response.location
    elif role == Role.APPLICANT:
        assert response.status_code == 404  # another organisation's
    else:
        assert response.status_code == 403
    sign_in(signatory(grant))
    response = client.post(
        f"/monitoring/recommendations/{recommendation.id}/respond", data={"response": "Done."}
    )
    assert response.status_code == 302
