"""Planning and recording visits, spot checks and audits, their findings and recommendations,
and the grantee's answers. Each change is audited; the grantee reads the recommendations
addressed to it (and the findings they answer), never the fund's staff notes."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.permissions import (
    Actor,
    Permission,
    can_view_grant,
    ensure_permission,
    has_permission,
    is_member,
)
from app.audit.services import record_event
from app.grants.models import Grant, GrantStatus
from app.monitoring import notices
from app.monitoring.models import (
    ActivityKind,
    ActivityStatus,
    FindingSeverity,
    MonitoringActivity,
    MonitoringFinding,
    MonitoringRecommendation,
    RecommendationStatus,
)
from app.monitoring.planning import ProposedActivity, pending_proposals, propose_plan
from app.monitoring.workflow import RECOMMENDATION_WORKFLOW
from app.platform.db import utcnow
from app.platform.errors import N_, InvalidTransition, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings

MAX_TEXT = 5000
MAX_ASSIGNEE = 200


# Who may do what ----------------------------------------------------------------------------


def may_view_monitoring(actor: Actor | None, grant: Grant) -> bool:
    """The fund's staff who oversee the grant: visits, findings, staff notes, the score."""
    return (
        has_permission(actor, Permission.VIEW_MONITORING)
        and can_view_grant(actor, grant)
        and not is_member(actor, grant.organisation_id)
    )


def may_manage_monitoring(actor: Actor | None, grant: Grant) -> bool:
    return has_permission(actor, Permission.MANAGE_MONITORING) and may_view_monitoring(actor, grant)


def may_respond(actor: Actor | None, grant: Grant) -> bool:
    """The grantee's own staff answer the recommendations addressed to their organisation."""
    return has_permission(actor, Permission.SUBMIT_GRANT_REPORT) and is_member(
        actor, grant.organisation_id
    )


def _ensure_manager(actor: User, grant: Grant) -> None:
    ensure_permission(actor, Permission.MANAGE_MONITORING)
    if is_member(actor, grant.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the grantee organisation, so another colleague must do this.")
        )


def _text(value: str | None, *, required: str | None = None, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(required)
    if len(text) > limit:
        raise ValidationFailed(N_("Write at most %(count)s characters here."), count=limit)
    return text


class DateRefused(ValidationFailed):
    """A date the form shows next to its field (``field``: the form field's name)."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


def _ensure_due_from(due_on: date, today: date, *, field: str = "due_on") -> None:
    if due_on < today:
        raise DateRefused(field, N_("Give the grantee a due date from today on."))


def _ensure_monitored(grant: Grant) -> None:
    if grant.status == GrantStatus.CLOSED:
        raise InvalidTransition(N_("This grant is closed: nothing more is planned on it."))


# Reading ------------------------------------------------------------------------------------


def activities_of(grant: Grant) -> list[MonitoringActivity]:
    """The grant's activities, planned and done, by date."""
    return list(
        db.session.execute(
            sa.select(MonitoringActivity)
            .where(MonitoringActivity.grant_id == grant.id)
            .options(
                selectinload(MonitoringActivity.findings).selectinload(
                    MonitoringFinding.recommendations
                )
            )
            .order_by(
                sa.func.coalesce(MonitoringActivity.done_on, MonitoringActivity.planned_on),
                MonitoringActivity.id,
            )
        ).scalars()
    )


def recommendations_of(grant: Grant) -> list[MonitoringRecommendation]:
    """What the grantee is asked to do on ``grant``, the earliest due first."""
    return list(
        db.session.execute(
            sa.select(MonitoringRecommendation)
            .where(MonitoringRecommendation.grant_id == grant.id)
            .options(
                selectinload(MonitoringRecommendation.finding).selectinload(
                    MonitoringFinding.activity
                )
            )
            .order_by(MonitoringRecommendation.due_on, MonitoringRecommendation.id)
        ).scalars()
    )


def open_recommendations_of(grant_ids: list[int]) -> list[MonitoringRecommendation]:
    """The open recommendations on these grants, the earliest due first."""
    if not grant_ids:
        return []
    return list(
        db.session.execute(
            sa.select(MonitoringRecommendation)
            .where(
                MonitoringRecommendation.grant_id.in_(grant_ids),
                MonitoringRecommendation.status == RecommendationStatus.OPEN,
            )
            .order_by(MonitoringRecommendation.due_on, MonitoringRecommendation.id)
        ).scalars()
    )


def overdue_recommendations_query(*, on: date) -> sa.Select[Any]:
    """Open recommendations past their due date: the grantee has not answered in time."""
    return sa.select(MonitoringRecommendation).where(
        MonitoringRecommendation.status == RecommendationStatus.OPEN,
        MonitoringRecommendation.due_on < on,
    )


def count_overdue(*, on: date) -> int:
    return int(
        db.session.execute(
            sa.select(sa.func.count()).select_from(overdue_recommendations_query(on=on).subquery())
        ).scalar_one()
    )


FOLLOW_UP_STATES = ("overdue", "open", "responded", "closed", "all")


def follow_up_list(*, state: str, on: date) -> list[MonitoringRecommendation]:
    """Recommendations across grants for the fund manager's follow-up list."""
    if state == "overdue":
        query = overdue_recommendations_query(on=on)
    elif state in {s.value for s in RecommendationStatus}:
        query = sa.select(MonitoringRecommendation).where(
            MonitoringRecommendation.status == RecommendationStatus(state)
        )
    else:
        query = sa.select(MonitoringRecommendation)
    return list(
        db.session.execute(
            query.options(
                selectinload(MonitoringRecommendation.grant).selectinload(Grant.organisation)
            )
            .order_by(MonitoringRecommendation.due_on, MonitoringRecommendation.id)
            .limit(500)
        ).scalars()
    )


def proposed_plan(grant: Grant, *, today: date | None = None) -> list[ProposedActivity]:
    """What the fund should still plan: from today on, leaving out what is already planned or
    done near the proposed date."""
    config = settings().monitoring
    plan = propose_plan(
        grant,
        large_grant_amount=config.large_grant_amount,
        spot_check_lead_days=config.spot_check_lead_days,
    )
    existing = [(a.kind, a.done_on or a.planned_on) for a in activities_of(grant)]
    return pending_proposals(
        plan,
        existing=existing,
        today=today or utcnow().date(),
        spot_check_lead_days=config.spot_check_lead_days,
    )


def monitored_grants_of(actor: Actor | None, organisation_id: int) -> list[Grant]:
    """The organisation's grants whose monitoring ``actor`` may see, the latest first."""
    grants = db.session.execute(
        sa.select(Grant)
        .where(Grant.organisation_id == organisation_id)
        .order_by(Grant.id.desc())
        .limit(50)
    ).scalars()
    return [grant for grant in grants if may_view_monitoring(actor, grant)]


# Planning and recording ---------------------------------------------------------------------


def plan_activity(
    *,
    actor: User,
    grant: Grant,
    kind: ActivityKind,
    planned_on: date,
    assignee: str = "",
    today: date | None = None,
) -> MonitoringActivity:
    """Plan a visit, spot check or audit of ``grant`` on a date from today on, by someone (one
    done already is planned, then recorded as done with its past date)."""
    _ensure_manager(actor, grant)
    _ensure_monitored(grant)
    if planned_on < (today or utcnow().date()):
        raise DateRefused(
            "planned_on",
            N_(
                "Plan it from today on; to record one already done, plan it today, then record "
                "it as done with its date."
            ),
        )
    activity = MonitoringActivity(
        grant_id=grant.id,
        kind=ActivityKind(kind),
        status=ActivityStatus.PLANNED,
        planned_on=planned_on,
        assignee=_text(assignee, limit=MAX_ASSIGNEE),
        planned_by_id=actor.id,
    )
    db.session.add(activity)
    db.session.flush()
    record_event(
        actor=actor,
        action="monitoring.planned",
        subject=activity,
        summary=f"{grant.reference}: {activity.kind.value} planned on {planned_on.isoformat()}",
        changes={"status": [None, ActivityStatus.PLANNED.value], "grant": [None, grant.id]},
    )
    return activity


def accept_plan(
    *, actor: User, grant: Grant, today: date | None = None
) -> list[MonitoringActivity]:
    """Plan every activity the proposed plan still proposes."""
    _ensure_manager(actor, grant)
    _ensure_monitored(grant)
    today = today or utcnow().date()
    created = [
        plan_activity(
            actor=actor, grant=grant, kind=item.kind, planned_on=item.planned_on, today=today
        )
        for item in proposed_plan(grant, today=today)
    ]
    if not created:
        raise ValidationFailed(N_("Every activity of the proposed plan is already planned."))
    return created


def record_activity(
    *,
    actor: User,
    activity: MonitoringActivity,
    done_on: date,
    summary: str = "",
    staff_notes: str = "",
    today: date | None = None,
) -> MonitoringActivity:
    """Record a planned activity as done: when, what the grantee is told, the staff's notes."""
    _ensure_manager(actor, activity.grant)
    if activity.status != ActivityStatus.PLANNED:
        raise InvalidTransition(N_("This activity is already recorded as done."))
    if done_on > (today or utcnow().date()):
        raise DateRefused(
            "done_on", N_("An activity is recorded once done: the date cannot be ahead.")
        )
    activity.status = ActivityStatus.DONE
    activity.done_on = done_on
    activity.summary = _text(summary)
    activity.staff_notes = _text(staff_notes)
    activity.recorded_by_id = actor.id
    activity.recorded_at = utcnow()
    db.session.flush()
    # The notes stay out of the log: its readers are not all the fund's monitoring staff.
    record_event(
        actor=actor,
        action="monitoring.recorded",
        subject=activity,
        summary=f"{activity.grant.reference}: {activity.kind.value} done on {done_on.isoformat()}",
        changes={
            "status": [ActivityStatus.PLANNED.value, ActivityStatus.DONE.value],
            "done_on": [None, done_on.isoformat()],
        },
    )
    return activity


def add_finding(
    *,
    actor: User,
    activity: MonitoringActivity,
    severity: FindingSeverity,
    description: str,
) -> MonitoringFinding:
    """What a done activity found, and how serious it is."""
    _ensure_manager(actor, activity.grant)
    if activity.status != ActivityStatus.DONE:
        raise InvalidTransition(N_("Record the activity as done before adding what it found."))
    # Through the relationship, so the activity's findings list it once (an add, then an
    # append that loads the list, would autoflush and list it twice).
    finding = MonitoringFinding(
        activity=activity,
        severity=FindingSeverity(severity),
        description=_text(description, required=N_("Describe what was found.")),
        created_by_id=actor.id,
    )
    db.session.add(finding)
    db.session.flush()
    record_event(
        actor=actor,
        action="monitoring.finding_added",
        subject=finding,
        summary=f"{activity.grant.reference}: {finding.severity.value} finding",
        changes={"severity": [None, finding.severity.value], "activity": [None, activity.id]},
    )
    return finding


def add_recommendation(
    *,
    actor: User,
    finding: MonitoringFinding,
    text: str,
    due_on: date,
    today: date | None = None,
) -> MonitoringRecommendation:
    """Ask the grantee to act on a finding by a date."""
    grant = finding.activity.grant
    _ensure_manager(actor, grant)
    _ensure_due_from(due_on, today or utcnow().date())
    recommendation = MonitoringRecommendation(
        finding=finding,
        grant=grant,
        text=_text(text, required=N_("Write what the grantee should do.")),
        due_on=due_on,
        status=RecommendationStatus.OPEN,
        created_by_id=actor.id,
    )
    db.session.add(recommendation)
    db.session.flush()
    record_event(
        actor=actor,
        action="monitoring.recommendation_made",
        subject=recommendation,
        summary=f"{grant.reference}: recommendation due {due_on.isoformat()}",
        changes={
            "status": [None, RecommendationStatus.OPEN.value],
            "due_on": [None, due_on.isoformat()],
        },
    )
    # A new one is no workflow move, so it is told from here (moves: app/handoffs.py).
    notices.recommendation_to_grantee(recommendation)
    return recommendation


# Follow-up ----------------------------------------------------------------------------------


def respond_to_recommendation(
    *, actor: User, recommendation: MonitoringRecommendation, response: str
) -> MonitoringRecommendation:
    """The grantee says what it did; the fund manager then closes or reopens."""
    text = _text(response, required=N_("Say what your organisation did about it."))
    RECOMMENDATION_WORKFLOW.transition(recommendation, RecommendationStatus.RESPONDED, actor=actor)
    recommendation.response = text
    recommendation.responded_at = utcnow()
    recommendation.responded_by_id = actor.id
    db.session.flush()
    return recommendation


def close_recommendation(
    *, actor: User, recommendation: MonitoringRecommendation
) -> MonitoringRecommendation:
    RECOMMENDATION_WORKFLOW.transition(recommendation, RecommendationStatus.CLOSED, actor=actor)
    recommendation.closed_at = utcnow()
    recommendation.closed_by_id = actor.id
    db.session.flush()
    return recommendation


def reopen_recommendation(
    *,
    actor: User,
    recommendation: MonitoringRecommendation,
    reason: str,
    due_on: date | None = None,
    today: date | None = None,
) -> MonitoringRecommendation:
    """Not done yet: back to the grantee, with the reason and, if given, a new due date."""
    text = _text(reason, required=N_("Say why, so the grantee knows what is still missing."))
    changes: dict[str, Any] = {}
    if due_on is not None and due_on != recommendation.due_on:
        _ensure_due_from(due_on, today or utcnow().date())
        changes["due_on"] = [recommendation.due_on.isoformat(), due_on.isoformat()]
    RECOMMENDATION_WORKFLOW.transition(
        recommendation,
        RecommendationStatus.OPEN,
        actor=actor,
        reason=text[:200],
        changes=changes,
    )
    recommendation.reopen_reason = text
    recommendation.closed_at = None
    recommendation.closed_by_id = None
    if due_on is not None:
        recommendation.due_on = due_on
    db.session.flush()
    return recommendation
