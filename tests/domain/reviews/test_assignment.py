"""Assigning reviewers: by hand or from a balanced suggestion, reassigning, due dates, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import ApplicationStatus
from app.audit.models import AuditEvent
from app.notifications.models import Notification, NotificationKind
from app.platform.db import utcnow
from app.platform.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews import queries
from app.reviews import services as reviews
from app.reviews.models import AssignmentStatus
from tests.factories import user_with
from tests.reviews_support import (
    a_call,
    cleared,
    in_review,
    link_to_organisation,
    manager,
    reviewer,
    submit,
    submitted_application,
)


def notifications(user, kind):
    return list(
        db.session.execute(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        ).scalars()
    )


def test_assigning_asks_the_reviewer_to_declare_first_and_tells_them(storage):
    application = in_review(storage)
    fund, expert = manager(), reviewer()
    assignment = reviews.assign_reviewer(actor=fund, application=application, reviewer=expert)
    assert assignment.status == AssignmentStatus.AWAITING_DECLARATION
    assert assignment.due_on == utcnow().date() + timedelta(days=21)
    (notice,) = notifications(expert, NotificationKind.REVIEW_ASSIGNED)
    assert notice.link == f"/reviews/assignments/{assignment.id}"
    assert notice.params["reference"] == application.reference
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "review_assignment.assigned")
    ).scalar_one()
    assert event.actor_id == fund.id


@pytest.mark.parametrize("role", [r for r in Role if r != Role.FUND_MANAGER])
def test_only_the_fund_manager_assigns(storage, role):
    application = in_review(storage)
    with pytest.raises(PermissionDenied):
        reviews.assign_reviewer(actor=user_with(role), application=application, reviewer=reviewer())


def test_assignment_refusals(storage):
    fund = manager()
    waiting = submitted_application(storage)
    with pytest.raises(InvalidTransition):
        reviews.assign_reviewer(actor=fund, application=waiting, reviewer=reviewer())
    application = in_review(storage)
    with pytest.raises(ValidationFailed):  # not a reviewer
        reviews.assign_reviewer(actor=fund, application=application, reviewer=user_with(Role.BOARD))
    with pytest.raises(ValidationFailed):  # due date in the past
        reviews.assign_reviewer(
            actor=fund,
            application=application,
            reviewer=reviewer(),
            due_on=utcnow().date() - timedelta(days=1),
        )
    linked = reviewer()
    link_to_organisation(linked, application)
    with pytest.raises(SegregationOfDuties):
        reviews.assign_reviewer(actor=fund, application=application, reviewer=linked)
    expert = reviewer()
    reviews.assign_reviewer(actor=fund, application=application, reviewer=expert)
    with pytest.raises(Conflict):
        reviews.assign_reviewer(actor=fund, application=application, reviewer=expert)
    linked_manager = manager()
    link_to_organisation(linked_manager, application)
    with pytest.raises(SegregationOfDuties):
        reviews.assign_reviewer(actor=linked_manager, application=application, reviewer=reviewer())


def test_a_declared_conflict_excludes_the_reviewer_from_the_whole_organisation(storage):
    fund = manager()
    first = in_review(storage, fund_manager=fund)
    expert = reviewer()
    assignment = reviews.assign_reviewer(actor=fund, application=first, reviewer=expert)
    reviews.declare_interest(
        actor=expert, assignment=assignment, has_conflict=True, description="Former board member."
    )
    # Another application of the same organisation, to another call.
    second = submitted_application(storage, call=a_call(fund))
    second.organisation_id = first.organisation_id
    db.session.flush()
    reviews.record_screening(
        actor=fund, application=second, outcome="eligible", confirmed=list(queries.Check)
    )
    candidates = {c.reviewer.id: c.excluded_because for c in queries.reviewer_candidates(second)}
    assert candidates[expert.id] == "conflict"
    with pytest.raises(Conflict):
        reviews.assign_reviewer(actor=fund, application=second, reviewer=expert)


def test_the_suggestion_balances_load_and_leaves_out_linked_reviewers(storage, app):
    fund = manager()
    busy, idle, half = reviewer(), reviewer(), reviewer()
    linked = reviewer()
    for count, who in ((2, busy), (1, half)):
        for _ in range(count):
            reviews.assign_reviewer(
                actor=fund, application=in_review(storage, fund_manager=fund), reviewer=who
            )
    application = in_review(storage, fund_manager=fund)
    link_to_organisation(linked, application)
    load = queries.open_load([busy.id, idle.id, half.id, linked.id])
    assert (load[busy.id], load[idle.id], load[half.id]) == (2, 0, 1)
    suggested = queries.suggest_reviewers(application)
    assert [u.id for u in suggested][:1] == [idle.id]
    assert linked not in suggested
    assert len(suggested) == app.config["REVIEWS_PER_APPLICATION"]
    made = reviews.assign_suggested(actor=fund, application=application)
    assert {a.reviewer_id for a in made} == {u.id for u in suggested}
    assert queries.suggest_reviewers(application) == []


def test_assigning_a_whole_call_spreads_the_work(storage, app):
    fund = manager()
    call = a_call(fund)
    applications = [in_review(storage, fund_manager=fund, call=call) for _ in range(3)]
    experts = [reviewer() for _ in range(3)]
    made = reviews.assign_suggested_for_call(actor=fund, call=call)
    assert len(made) == 3 * app.config["REVIEWS_PER_APPLICATION"]
    load = queries.open_load(e.id for e in experts)
    # Six reviews among three reviewers (others in the database may take some): nobody gets
    # more than one more than anybody else.
    mine = [load[e.id] for e in experts]
    assert max(mine) - min(mine) <= 1
    assert all(
        len([a for a in queries.assignments_of(x) if a.status in queries.OPEN_ASSIGNMENT]) == 2
        for x in applications
    )


def test_remove_reassign_and_due_dates(storage):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    first, second = reviewer(), reviewer()
    assignment = reviews.assign_reviewer(actor=fund, application=application, reviewer=first)
    assert reviews.can_remove_reviewer(fund, assignment)
    assert not reviews.can_remove_reviewer(first, assignment)
    later = utcnow().date() + timedelta(days=40)
    reviews.set_due_date(actor=fund, assignment=assignment, due_on=later)
    assert assignment.due_on == later
    replacement = reviews.reassign_review(actor=fund, assignment=assignment, reviewer=second)
    assert assignment.status == AssignmentStatus.REMOVED
    assert replacement.reviewer_id == second.id and replacement.due_on == later
    # Asked again later: a fresh declaration is needed.
    again = reviews.assign_reviewer(actor=fund, application=application, reviewer=first)
    assert again.id == assignment.id
    assert again.status == AssignmentStatus.AWAITING_DECLARATION and again.declared_at is None


def test_a_submitted_review_cannot_be_taken_back(storage):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    assignment = cleared(application, fund_manager=fund)
    assert reviews.can_remove_reviewer(fund, assignment)
    submit(assignment, (4, 4))
    assert not reviews.can_remove_reviewer(fund, assignment)
    with pytest.raises(ValidationFailed):
        reviews.remove_reviewer(actor=fund, assignment=assignment)


def test_reminders_go_to_overdue_and_soon_due_reviews_once_a_day(storage, runner):
    fund = manager()
    today = utcnow().date()
    soon = reviews.assign_reviewer(
        actor=fund,
        application=in_review(storage, fund_manager=fund),
        reviewer=reviewer(),
        due_on=today + timedelta(days=2),
    )
    later = reviews.assign_reviewer(
        actor=fund,
        application=in_review(storage, fund_manager=fund),
        reviewer=reviewer(),
        due_on=today + timedelta(days=20),
    )
    overdue = cleared(in_review(storage, fund_manager=fund), fund_manager=fund)
    overdue.due_on = today - timedelta(days=1)
    done = cleared(in_review(storage, fund_manager=fund), fund_manager=fund)
    submit(done, (3, 3))
    done.due_on = today - timedelta(days=3)
    db.session.flush()

    assert reviews.send_review_reminders(today=today) == 2
    assert reviews.send_review_reminders(today=today) == 0  # idempotent for the day
    reminded = {
        n.user_id: n.params
        for n in db.session.execute(
            select(Notification).where(Notification.kind == NotificationKind.REVIEW_REMINDER)
        ).scalars()
    }
    assert set(reminded) == {soon.reviewer_id, overdue.reviewer_id}
    assert reminded[overdue.reviewer_id]["overdue"] is True
    assert later.reviewer_id not in reminded and done.reviewer_id not in reminded
    assert reviews.send_review_reminders(today=today + timedelta(days=1)) == 2

    result = runner.invoke(args=["reviews", "remind"])
    assert result.exit_code == 0, result.output
    assert "reminder(s) sent" in result.output


def test_nobody_can_be_assigned_once_the_application_has_left_review(storage):
    fund = manager()
    application = in_review(storage, fund_manager=fund)
    submit(cleared(application, fund_manager=fund), (4, 4))
    reviews.recommend(actor=fund, application=application, outcome="recommended", feedback="Good.")
    assert application.status == ApplicationStatus.RECOMMENDED
    with pytest.raises(InvalidTransition):
        reviews.assign_reviewer(actor=fund, application=application, reviewer=reviewer())
