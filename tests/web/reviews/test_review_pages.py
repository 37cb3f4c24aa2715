"""Reviews in the browser: screening, assignment, reviewing, ranking, the Board, and what
the applicant sees (timeline, reason, decision letter), never the reviewers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from app.applications.models import ApplicationStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reviews import services as reviews
from app.reviews.models import (
    AssignmentStatus,
    BoardDecision,
    DecisionOutcome,
    PanelOutcome,
    ReviewAssignment,
    ReviewStatus,
)
from app.reviews.queries.assignments import assignments_of
from app.reviews.queries.screening import MANUAL_CHECKS
from tests.applications_support import applicant_of
from tests.reviews_support import (
    before_board,
    board_member,
    cleared,
    decide,
    in_review,
    link_to_organisation,
    manager,
    meeting,
    reviewer,
    submit,
    submitted_application,
)


def test_the_fund_manager_screens_and_the_applicant_reads_the_reason(storage, client, sign_in):
    fund = manager()
    application = submitted_application(storage)
    sign_in(fund)
    page = client.get(f"/reviews/applications/{application.id}/screen")
    assert page.status_code == 200
    assert "Submitted before the deadline" in page.get_data(as_text=True)
    refused = client.post(
        f"/reviews/applications/{application.id}/screen", data={"outcome": "ineligible"}
    )
    assert refused.status_code == 422
    done = client.post(
        f"/reviews/applications/{application.id}/screen",
        data={"outcome": "ineligible", "reason": "Research is not direct assistance."},
    )
    assert done.status_code == 302
    assert application.status == ApplicationStatus.INELIGIBLE

    client.post("/logout")
    sign_in(applicant_of(application.organisation))
    text = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Research is not direct assistance." in text
    assert "Eligibility check started" in text and "Not eligible" in text
    assert fund.full_name not in text


def test_eligible_then_reviewers_by_hand_and_suggestion(storage, client, sign_in):
    fund = manager()
    application = submitted_application(storage)
    experts = [reviewer(), reviewer(), reviewer()]
    sign_in(fund)
    response = client.post(
        f"/reviews/applications/{application.id}/screen",
        data={"outcome": "eligible", "confirmed": [c.value for c in MANUAL_CHECKS]},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/reviews/applications/{application.id}/assign")
    assert client.get(response.location).status_code == 200
    client.post(
        f"/reviews/applications/{application.id}/assign", data={"reviewer_id": experts[0].id}
    )
    client.post(f"/reviews/applications/{application.id}/assign-suggested", data={})
    live = [
        a for a in assignments_of(application) if a.status == AssignmentStatus.AWAITING_DECLARATION
    ]
    assert len(live) == 2 and experts[0].id in {a.reviewer_id for a in live}
    other = next(e for e in experts if e.id not in {a.reviewer_id for a in live})
    client.post(f"/reviews/assignments/{live[0].id}/reassign", data={"reviewer_id": other.id})
    assert live[0].status == AssignmentStatus.REMOVED


def test_a_reviewer_drafts_submits_and_then_reads_the_others(storage, client, sign_in):
    application = in_review(storage)
    mine, theirs = cleared(application), cleared(application)
    submit(theirs, (2, 2), comments="Weak budget.")
    criteria = application.call.criteria
    sign_in(mine.reviewer)
    page = client.get(f"/reviews/assignments/{mine.id}").get_data(as_text=True)
    assert "once you have submitted your own" in page and "Weak budget." not in page
    form = {
        "scores-0-criterion_id": criteria[0].id,
        "scores-0-score": "4",
        "scores-0-justification": "Relevant.",
        "scores-1-criterion_id": criteria[1].id,
        "scores-1-score": "",
        "scores-1-justification": "",
        "action": "save",
    }
    assert client.post(f"/reviews/assignments/{mine.id}/review", data=form).status_code == 302
    assert mine.review.status == ReviewStatus.DRAFT
    form["action"] = "submit"
    assert client.post(f"/reviews/assignments/{mine.id}/review", data=form).status_code == 422
    form.update(
        {"scores-1-score": "3", "scores-1-justification": "Able.", "recommendation": "fund"}
    )
    checking = client.post(f"/reviews/assignments/{mine.id}/review", data=form)
    assert checking.status_code == 302
    assert checking.location.endswith(f"/reviews/assignments/{mine.id}/submit")
    assert mine.review.status == ReviewStatus.DRAFT
    sent = client.post(f"/reviews/assignments/{mine.id}/submit", data={"declaration": "y"})
    assert sent.status_code == 302
    assert mine.review.status == ReviewStatus.SUBMITTED
    page = client.get(f"/reviews/assignments/{mine.id}").get_data(as_text=True)
    assert "Reviewer A" in page
    assert theirs.reviewer.full_name not in page  # peers are letters, not names
    assert "Weak budget." not in page  # comments are for the secretariat only


def test_the_pages_offer_what_the_workflows_allow(storage, client, sign_in):
    """A review can be changed or taken back until it is submitted; the recommendation is
    offered while a review is still outstanding, and recording it says so."""
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    done = cleared(application, fund_manager=fund)
    submit(done, (4, 4))
    pending = cleared(application, fund_manager=fund)
    sign_in(fund)
    page = client.get(f"/reviews/applications/{application.id}/assign").get_data(as_text=True)
    assert f"/reviews/assignments/{pending.id}/remove" in page
    assert f"/reviews/assignments/{done.id}/remove" not in page
    recommend = f"/reviews/applications/{application.id}/recommend"
    assert recommend in client.get(f"/reviews/applications/{application.id}/reviews").get_data(
        as_text=True
    )
    response = client.post(recommend, data={"outcome": "recommended", "feedback": "Strong."})
    assert "still outstanding" in response.get_data(as_text=True)
    assert application.status == ApplicationStatus.IN_REVIEW


def test_ranking_recommendation_and_board_pack(storage, client, sign_in):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    submit(cleared(application, fund_manager=fund), (5, 4))
    sign_in(fund)
    ranking = client.get(f"/reviews/calls/{application.call_id}/ranking")
    assert ranking.status_code == 200 and "4.60" in ranking.get_data(as_text=True)
    in_french = client.get(
        f"/reviews/calls/{application.call_id}/ranking", headers={"Accept-Language": "fr"}
    )
    assert "4,60" in in_french.get_data(as_text=True)
    response = client.post(
        f"/reviews/applications/{application.id}/recommend",
        data={"outcome": "recommended", "key_risks": "Floods.", "feedback": "Strong."},
    )
    assert response.status_code == 302
    assert application.status == ApplicationStatus.RECOMMENDED
    pack = client.get(f"/reviews/calls/{application.call_id}/board-pack").get_data(as_text=True)
    assert "Floods." in pack and application.organisation.name in pack


def test_a_linked_board_member_sees_no_details_in_the_pack(storage, client, sign_in):
    application = before_board(storage)
    member = board_member()
    link_to_organisation(member, application)
    sign_in(member)
    pack = client.get(f"/reviews/calls/{application.call_id}/board-pack").get_data(as_text=True)
    assert "you are recused" in pack
    assert application.summary not in pack
    assert client.get(f"/applications/{application.id}").status_code == 404


def test_the_board_meets_and_decides_in_the_browser(storage, client, sign_in):
    application = before_board(storage)
    members = [board_member() for _ in range(3)]
    sign_in(members[0])
    response = client.post(
        "/reviews/board/meetings/new",
        data={"held_on": "2026-01-15", "call_id": 0, "members": [m.id for m in members]},
    )
    assert response.status_code == 302
    meeting_id = int(response.location.rstrip("/").split("/")[-1])
    url = f"/reviews/board/meetings/{meeting_id}/decide/{application.id}"
    assert client.get(url).status_code == 200
    votes = {
        f"votes-{i}-member_id": m.id for i, m in enumerate(sorted(members, key=lambda u: u.id))
    }
    votes.update({f"votes-{i}-vote": "approve" for i in range(3)})
    too_much = client.post(
        url,
        data={
            "outcome": "approved",
            "approved_amount": str(application.requested_amount / 100 + 1),
            "rationale": "Good.",
            **votes,
        },
    )
    assert too_much.status_code == 422
    decision = {
        "outcome": "approved",
        "approved_amount": "9000.00",
        "conditions": "Visits.",
        "rationale": "Good.",
        **votes,
    }
    # Read back first, the values carried in hidden fields; nothing is recorded yet.
    check = client.post(url, data=decision)
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "Check the decision before you record it" in page
    assert "9,000.00" in page and "Visits." in page
    assert '<input type="hidden" name="approved_amount" value="9000.00">' in page
    assert re.search(r'<input[^>]*id="declaration"[^>]*type="checkbox"', page)
    assert application.status == ApplicationStatus.RECOMMENDED
    # "Change" brings back the form, filled.
    change = client.post(url, data={**decision, "action": "change"})
    assert change.status_code == 200
    assert 'value="9000.00"' in change.get_data(as_text=True)
    assert "Visits.</textarea>" in change.get_data(as_text=True)
    refused = client.post(url, data={**decision, "action": "record"})
    assert refused.status_code == 422
    words = re.sub(r"<[^>]+>", " ", refused.get_data(as_text=True))
    assert "There is a problem" in words
    assert words.count("Confirm the declaration to record the decision.") == 2
    assert application.status == ApplicationStatus.RECOMMENDED
    done = client.post(url, data={**decision, "action": "record", "declaration": "y"})
    assert done.status_code == 302
    decision = db.session.query(BoardDecision).filter_by(application_id=application.id).one()
    assert decision.approved_amount == 9_000_00
    assert application.status == ApplicationStatus.APPROVED
    assert client.get(f"/reviews/board/meetings/{meeting_id}").status_code == 200


def test_the_decision_letter_is_the_applicants_and_names_no_reviewer(storage, client, sign_in):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    first = cleared(application, fund_manager=fund)
    submit(first, (4, 4), comments="Internal remark for the secretariat.")
    reviews.recommend(
        actor=fund,
        application=application,
        outcome=PanelOutcome.RECOMMENDED,
        feedback="A clear, costed plan.",
    )
    decide(application, meeting(), DecisionOutcome.APPROVED)
    owner = applicant_of(application.organisation)
    sign_in(owner)
    letter = client.get(f"/reviews/applications/{application.id}/decision-letter")
    assert letter.status_code == 200
    text = letter.get_data(as_text=True)
    assert "A clear, costed plan." in text and "4.00" in text
    assert first.reviewer.full_name not in text
    assert "Internal remark" not in text
    show = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Read the decision letter" in show and first.reviewer.full_name not in show
    client.post("/logout")
    stranger = submitted_application(storage)
    sign_in(applicant_of(stranger.organisation))
    assert client.get(f"/reviews/applications/{application.id}/decision-letter").status_code == 404


def test_a_fund_manager_linked_to_the_applicant_is_refused(storage, client, sign_in):
    application = submitted_application(storage)
    fund = manager()
    link_to_organisation(fund, application)
    sign_in(fund)
    assert client.get(f"/reviews/applications/{application.id}/screen").status_code == 403
    response = client.post(
        f"/reviews/applications/{application.id}/screen",
        data={"outcome": "ineligible", "reason": "x"},
    )
    assert response.status_code == 403
    assert application.status == ApplicationStatus.SUBMITTED


def test_nonsense_amounts_are_refused_never_a_server_error(storage, client, sign_in):
    application = before_board(storage)
    held = meeting()
    sign_in(manager())
    url = f"/reviews/board/meetings/{held.id}/decide/{application.id}"
    for value in ("NaN", "sNaN", "Infinity", "-1", "1e999", "abc", "12.345"):
        response = client.post(
            url, data={"outcome": "approved", "approved_amount": value, "rationale": "x"}
        )
        assert response.status_code == 422, value
    assert application.status == ApplicationStatus.RECOMMENDED


def test_the_applicant_does_not_see_the_recommendation_before_the_board_decides(
    storage, client, sign_in
):
    fund = manager()
    application = before_board(storage, fund_manager=fund, outcome=PanelOutcome.NOT_RECOMMENDED)
    assert application.status == ApplicationStatus.NOT_RECOMMENDED
    sign_in(applicant_of(application.organisation))
    for page in (
        "/applications/",
        f"/applications/{application.id}",
        f"/applications/{application.id}/print",
    ):
        text = client.get(page).get_data(as_text=True)
        assert "Not recommended" not in text and "In review" in text, page
    client.post("/logout")
    sign_in(fund)
    assert "Not recommended" in client.get(f"/applications/{application.id}").get_data(as_text=True)


def test_a_reviewer_who_is_not_a_candidate_is_refused_with_a_reason(storage, client, sign_in):
    fund = manager()
    application = submitted_application(storage)
    sign_in(fund)
    client.post(
        f"/reviews/applications/{application.id}/screen",
        data={"outcome": "eligible", "confirmed": [c.value for c in MANUAL_CHECKS]},
    )
    response = client.post(
        f"/reviews/applications/{application.id}/assign",
        data={"reviewer_id": fund.id},  # the fund manager is no expert reviewer
        follow_redirects=True,
    )
    assert "Choose a reviewer and a valid due date." in response.get_data(as_text=True)
    assert assignments_of(application) == []


def test_a_double_click_that_the_database_refuses_is_a_conflict_not_a_crash(
    storage, client, sign_in
):
    """Two requests assigning the same reviewer at once: both pass the service's check, the
    unique key refuses the second row. That request is told, and keeps nothing."""
    fund = manager()
    application = submitted_application(storage)
    expert = reviewer()
    sign_in(fund)
    client.post(
        f"/reviews/applications/{application.id}/screen",
        data={"outcome": "eligible", "confirmed": [c.value for c in MANUAL_CHECKS]},
    )
    rival = {
        "application_id": application.id,
        "reviewer_id": expert.id,
        "status": AssignmentStatus.AWAITING_DECLARATION,
        "due_on": date.today() + timedelta(days=14),
        "assigned_by_id": fund.id,
        "assigned_at": utcnow(),
    }
    rivals_sent = []

    def the_other_request_lands_first(_mapper, connection, target):
        # The other request's row arrives after this one's check and before its insert.
        if target.reviewer_id == expert.id and not rivals_sent:
            connection.execute(sa.insert(ReviewAssignment).values(**rival))
            rivals_sent.append(target)

    sa.event.listen(ReviewAssignment, "before_insert", the_other_request_lands_first)
    try:
        response = client.post(
            f"/reviews/applications/{application.id}/assign", data={"reviewer_id": expert.id}
        )
    finally:
        sa.event.remove(ReviewAssignment, "before_insert", the_other_request_lands_first)
    assert len(rivals_sent) == 1  # the real service reached the database
    assert response.status_code == 409
    assert "sent twice" in response.get_data(as_text=True)
    assert assignments_of(application) == []


def test_a_reviewer_checks_the_review_and_ticks_the_declaration_before_sending(
    storage, client, sign_in
):
    application = in_review(storage)
    mine = cleared(application)
    criteria = application.call.criteria
    sign_in(mine.reviewer)
    form = {"action": "submit", "recommendation": "fund", "comments": "Lean budget."}
    for index, criterion in enumerate(criteria):
        form[f"scores-{index}-criterion_id"] = criterion.id
        form[f"scores-{index}-score"] = str(3 + index % 2)
        form[f"scores-{index}-justification"] = f"Reason {index}."
    saved = client.post(f"/reviews/assignments/{mine.id}/review", data=form)
    assert saved.location.endswith(f"/reviews/assignments/{mine.id}/submit")
    assert mine.review.status == ReviewStatus.DRAFT  # saved, not sent

    check = client.get(saved.location)
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "Check your answers before you submit" in page
    assert "Reason 0." in page and "Lean budget." in page
    for anchor in ("scores-0-score", "scores-1-score", "recommendation-0", "comments"):
        assert f'href="/reviews/assignments/{mine.id}#{anchor}">Change<' in page
    assert re.search(r'<input[^>]*id="declaration"[^>]*type="checkbox"', page)

    refused = client.post(f"/reviews/assignments/{mine.id}/submit", data={})
    assert refused.status_code == 422
    words = re.sub(r"<[^>]+>", " ", refused.get_data(as_text=True))
    assert "There is a problem" in words
    assert words.count("Confirm the declaration to submit the review.") == 2
    assert mine.review.status == ReviewStatus.DRAFT

    sent = client.post(f"/reviews/assignments/{mine.id}/submit", data={"declaration": "y"})
    assert sent.status_code == 302
    assert mine.review.status == ReviewStatus.SUBMITTED
    scores = [mine.review.score_for(c.id).score for c in criteria]
    assert scores == [3 + index % 2 for index in range(len(criteria))]
    # Once sent, the check page sends back to the review, which reads as submitted.
    assert client.get(f"/reviews/assignments/{mine.id}/submit").status_code == 302
