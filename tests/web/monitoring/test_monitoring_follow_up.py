"""What the user tester reported on the monitoring pages, as a user sees it: dates refused next
to their field with nothing typed lost, French dates read the French way, the proposed plan
from today on and gone once accepted, the grantee told (in the app and by e-mail) and its next
actions listing what to answer, the fund told of the answer, the rating form keeping the
decision made, the follow-up list naming grant and organisation, the way back from the partner
score, and the Monitoring entry of the menu."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.monitoring.models import (
    MonitoringActivity,
    MonitoringFinding,
    MonitoringRecommendation,
    RecommendationStatus,
)
from app.notifications.models import Notification, NotificationKind
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.grants_support import USD, active_grant, fund, manager, signatory
from tests.monitoring_support import done_visit, recommendation_on


@pytest.fixture
def grant():
    fund(500_000 * USD)
    return active_grant()


def _text(response) -> str:
    return response.get_data(as_text=True)


def _error_of(page: str, field: str) -> str:
    found = re.search(rf'<div id="{field}-error"[^>]*>(.*?)</div>', page, re.S)
    assert found, f"no error next to {field}"
    return found.group(1).strip()


def test_a_planned_date_before_today_is_refused_next_to_the_field(client, sign_in, grant):
    sign_in(manager())
    yesterday = utcnow().date() - timedelta(days=1)
    response = client.post(
        f"/monitoring/grants/{grant.id}/activities",
        data={"kind": "audit", "planned_on": yesterday.isoformat(), "assignee": "Audit & Co"},
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Plan it from today on" in _error_of(page, "planned_on")
    assert 'id="error-summary"' in page and 'href="#planned_on"' in page
    # Nothing typed is lost.
    assert f'value="{yesterday.isoformat()}"' in page and "Audit &amp; Co" in page
    assert re.search(r'<option selected value="audit"|<option value="audit" selected', page)
    assert db.session.query(MonitoringActivity).count() == 0


def test_a_done_date_ahead_is_refused_next_to_the_field(client, sign_in, grant):
    sign_in(manager())
    today = utcnow().date()
    client.post(
        f"/monitoring/grants/{grant.id}/activities",
        data={"kind": "visit", "planned_on": today.isoformat()},
    )
    activity = db.session.query(MonitoringActivity).one()
    response = client.post(
        f"/monitoring/activities/{activity.id}/done",
        data={
            "done_on": (today + timedelta(days=3)).isoformat(),
            "summary": "Met the team.",
            "staff_notes": "Keep an eye on cash.",
        },
    )
    assert response.status_code == 422
    page = _text(response)
    assert "the date cannot be ahead" in _error_of(page, "done_on")
    assert 'href="#done_on"' in page
    assert "Met the team." in page and "Keep an eye on cash." in page
    assert 'class="alert alert-danger alert' not in page  # no banner besides the summary
    # A past date is fine for an activity done.
    client.post(
        f"/monitoring/activities/{activity.id}/done",
        data={"done_on": (today - timedelta(days=10)).isoformat(), "summary": "Met the team."},
    )
    assert activity.done_on == today - timedelta(days=10)


def test_a_past_due_date_of_a_recommendation_is_refused_next_to_the_field(client, sign_in, grant):
    fm = manager()
    activity = done_visit(grant, fm)
    sign_in(fm)
    response = client.post(
        f"/monitoring/activities/{activity.id}/findings",
        data={
            "severity": "medium",
            "description": "No cash book.",
            "recommendation": "Keep a cash book.",
            "due_on": (utcnow().date() - timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Give the grantee a due date from today on." in _error_of(page, "due_on")
    assert "No cash book." in page and "Keep a cash book." in page
    assert re.search(r'value="medium"[^>]*checked|checked[^>]*value="medium"', page)
    assert db.session.query(MonitoringFinding).count() == 0


def test_a_date_typed_the_french_way_is_read_the_french_way(client, sign_in, grant):
    fm = manager()
    fm.locale = "fr"
    db.session.flush()
    sign_in(fm)
    year = utcnow().date().year + 1
    response = client.post(
        f"/monitoring/grants/{grant.id}/activities",
        data={"kind": "visit", "planned_on": f"15/01/{year}"},
    )
    assert response.status_code == 302
    activity = db.session.query(MonitoringActivity).one()
    assert (activity.planned_on.day, activity.planned_on.month) == (15, 1)
    # Month and day the other way round: refused, saying the form expected; never misread.
    response = client.post(
        f"/monitoring/grants/{grant.id}/activities",
        data={"kind": "visit", "planned_on": f"01/15/{year}"},
    )
    assert response.status_code == 422
    assert "15/01/2027" in _error_of(_text(response), "planned_on")
    assert db.session.query(MonitoringActivity).count() == 1


def test_the_proposed_plan_once_accepted_is_no_longer_offered(client, sign_in, grant):
    sign_in(manager())
    page = _text(client.get(f"/monitoring/grants/{grant.id}"))
    assert "Accept the proposed plan" in page
    client.post(f"/monitoring/grants/{grant.id}/plan")
    assert all(a.planned_on >= utcnow().date() for a in db.session.query(MonitoringActivity))
    page = _text(client.get(f"/monitoring/grants/{grant.id}"))
    assert "Accept the proposed plan" not in page
    assert "Everything the plan proposes is planned or done." in page


def test_a_grant_started_long_ago_is_proposed_a_visit_today_not_in_the_past(client, sign_in, grant):
    today = utcnow().date()
    grant.start_date = today - timedelta(days=700)
    grant.end_date = today + timedelta(days=30)
    db.session.flush()
    sign_in(manager())
    page = _text(client.get(f"/monitoring/grants/{grant.id}"))
    proposed = page.split('id="proposal-heading"')[1].split("</section>")[0]
    assert "Monitoring visit" in proposed
    done_visit(grant)
    page = _text(client.get(f"/monitoring/grants/{grant.id}"))
    proposed = page.split('id="proposal-heading"')[1].split("</section>")[0]
    assert "Monitoring visit" not in proposed


def test_the_grantee_is_told_answers_from_its_next_actions_and_the_fund_is_told(
    client, sign_in, grant, mailbox
):
    fm = manager()
    ngo = signatory(grant)
    activity = done_visit(grant, fm)
    sign_in(fm)
    client.post(
        f"/monitoring/activities/{activity.id}/findings",
        data={
            "severity": "high",
            "description": "No receipts.",
            "recommendation": "Keep a receipt for every cash payment.",
            "due_on": (utcnow().date() + timedelta(days=30)).isoformat(),
        },
    )
    recommendation = db.session.query(MonitoringRecommendation).one()
    link = f"/monitoring/recommendations/{recommendation.id}"
    notice = (
        db.session.query(Notification)
        .filter_by(user_id=ngo.id, kind=NotificationKind.MONITORING_RECOMMENDATION)
        .one()
    )
    assert notice.link == link
    mail = mailbox.last(ngo.email)
    assert grant.reference in mailbox.body(mail) and link in mailbox.body(mail)
    # Its grants page lists it among the next actions.
    sign_in(ngo)
    mine = _text(client.get("/grants/"))
    assert "recommendation: Keep a receipt for every cash payment." in mine and link in mine
    client.post(f"{link}/respond", data={"response": "Receipt book in use since May."})
    assert recommendation.status == RecommendationStatus.RESPONDED
    assert link not in _text(client.get("/grants/"))
    answered = db.session.query(Notification).filter_by(
        user_id=fm.id, kind=NotificationKind.MONITORING_ANSWER
    )
    assert [n.link for n in answered] == [link]
    # Reopened: told again.
    sign_in(fm)
    client.post(f"{link}/reopen", data={"reason": "Send May's pages."})
    assert (
        db.session.query(Notification)
        .filter_by(user_id=ngo.id, kind=NotificationKind.MONITORING_RECOMMENDATION)
        .count()
        == 2
    )


def test_the_rating_form_keeps_the_rating_just_confirmed(client, sign_in, grant):
    fm = manager()
    for _ in range(3):
        recommendation_on(grant, fm)
    organisation = grant.organisation
    sign_in(fm)
    url = f"/monitoring/organisations/{organisation.id}"
    checked = re.compile(
        r'<input[^>]*checked[^>]*value="(\w+)"|<input[^>]*value="(\w+)"[^>]*checked'
    )

    def offered() -> str:
        found = checked.search(_text(client.get(url)))
        assert found
        return found.group(1) or found.group(2)

    assert offered() == "high"  # the proposal
    client.post(f"{url}/rating", data={"rating": "medium"})
    assert offered() == "medium"  # the decision, not the proposal again


def test_the_follow_up_list_names_the_grant_and_organisation(client, sign_in, grant):
    recommendation = recommendation_on(grant)
    recommendation.due_on = utcnow().date() - timedelta(days=2)
    db.session.flush()
    sign_in(manager())
    page = _text(client.get("/monitoring/recommendations?state=overdue"))
    assert grant.reference in page
    assert str(grant.title) in page or grant.title.replace("'", "&#39;") in page
    assert grant.organisation.name in page


def test_severity_is_marked_required(client, sign_in, grant):
    fm = manager()
    activity = done_visit(grant, fm)
    sign_in(fm)
    page = _text(client.get(f"/monitoring/activities/{activity.id}"))
    assert re.search(
        r'Severity <span class="text-danger" aria-hidden="true">\*</span></legend>', page
    )


def test_the_partner_score_leads_back_to_the_organisation_and_its_grants(client, sign_in, grant):
    sign_in(manager())
    page = _text(client.get(f"/monitoring/organisations/{grant.organisation_id}"))
    assert 'aria-label="Breadcrumb"' in page
    assert f'href="/organisations/{grant.organisation_id}"' in page
    assert f'href="/monitoring/grants/{grant.id}"' in page
    assert f'href="/grants/{grant.id}"' in page


def test_staff_find_monitoring_in_the_menu(client, sign_in, grant):
    sign_in(manager())
    assert 'href="/monitoring/recommendations"' in _text(client.get("/grants/manage"))
    sign_in(signatory(grant))
    assert 'href="/monitoring/recommendations"' not in _text(client.get("/grants/"))
