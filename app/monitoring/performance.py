"""The partner performance score of an organisation, line by line, the risk rating it proposes,
and the person's decision that makes it the organisation's rating (and so the tranche schedule
of its next grant: app/grants/services/award.py reads OrganisationProfile.risk_rating).

A partner starts at 100 points; each line below adds or takes away points, and the score is
kept between 0 and 100:

- each report: on time 0; submitted 1-30 days late -3; more than 30 days late -8; overdue and
  still not submitted -10;
- each finding of a visit or spot check: high -20 while open, -8 once its recommendations are
  closed; medium -10 / -4; low -4 / -1;
- audit results (activities of kind audit): each finding high -25 / -10, medium -12 / -5,
  low -5 / -2; an audit without any finding +5;
- each refund of unspent money: 25 % or more of what was paid -10; 10 % or more -5; less 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Organisation, User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import OrganisationProfile, RiskRating
from app.audit.services import record_event
from app.grants.models import Grant, ReportStatus
from app.monitoring.models import (
    ActivityKind,
    ActivityStatus,
    FindingSeverity,
    MonitoringActivity,
    MonitoringFinding,
    PartnerRating,
)
from app.platform.errors import N_, NotFound, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings

START = 100
LATE_DAYS = 30
POINTS_LATE = -3
POINTS_VERY_LATE = -8
POINTS_MISSING = -10
# (open, closed) points per finding's severity.
FINDING_POINTS = {
    FindingSeverity.HIGH: (-20, -8),
    FindingSeverity.MEDIUM: (-10, -4),
    FindingSeverity.LOW: (-4, -1),
}
AUDIT_POINTS = {
    FindingSeverity.HIGH: (-25, -10),
    FindingSeverity.MEDIUM: (-12, -5),
    FindingSeverity.LOW: (-5, -2),
}
POINTS_CLEAN_AUDIT = 5
# (share of what was paid, points), the largest share first.
REFUND_POINTS = ((25, -10), (10, -5))


@dataclass(frozen=True)
class ScoreLine:
    label: str  # msgid, filled with ``params``
    params: dict[str, Any]
    points: int

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "params": dict(self.params), "points": self.points}


@dataclass(frozen=True)
class PartnerScore:
    organisation_id: int
    score: int
    proposed: RiskRating
    current: RiskRating | None
    lines: list[ScoreLine] = field(default_factory=list)


def proposed_rating(score: int, *, low_risk_score: int, medium_risk_score: int) -> RiskRating:
    if score >= low_risk_score:
        return RiskRating.LOW
    if score >= medium_risk_score:
        return RiskRating.MEDIUM
    return RiskRating.HIGH


def _report_lines(grant: Grant, on: date) -> list[ScoreLine]:
    lines = []
    for report in grant.reports:
        params = {"reference": grant.reference, "kind": report.kind.value, "number": report.number}
        if report.submitted_at is not None:
            late = (report.submitted_at.date() - report.due_date).days
            if late <= 0:
                lines.append(ScoreLine(N_("%(reference)s: %(kind)s %(number)s on time"), params, 0))
            else:
                lines.append(
                    ScoreLine(
                        N_("%(reference)s: %(kind)s %(number)s submitted %(days)s days late"),
                        {**params, "days": late},
                        POINTS_LATE if late <= LATE_DAYS else POINTS_VERY_LATE,
                    )
                )
        elif report.status == ReportStatus.DUE and report.due_date < on:
            lines.append(
                ScoreLine(
                    N_("%(reference)s: %(kind)s %(number)s not submitted, %(days)s days overdue"),
                    {**params, "days": (on - report.due_date).days},
                    POINTS_MISSING,
                )
            )
    return lines


def _finding_lines(grant: Grant, activities: list[MonitoringActivity]) -> list[ScoreLine]:
    lines = []
    for activity in activities:
        audit = activity.kind == ActivityKind.AUDIT
        table = AUDIT_POINTS if audit else FINDING_POINTS
        assert activity.done_on is not None
        params: dict[str, Any] = {
            "reference": grant.reference,
            "kind": activity.kind.value,
            "date": activity.done_on.isoformat(),
        }
        if audit and not activity.findings:
            lines.append(
                ScoreLine(
                    N_("%(reference)s, %(kind)s of %(date)s: no finding"),
                    params,
                    POINTS_CLEAN_AUDIT,
                )
            )
        for finding in activity.findings:
            open_points, closed_points = table[finding.severity]
            closed = finding.is_closed
            lines.append(
                ScoreLine(
                    N_("%(reference)s, %(kind)s of %(date)s: finding (%(severity)s), followed up")
                    if closed
                    else N_("%(reference)s, %(kind)s of %(date)s: finding (%(severity)s), open"),
                    {**params, "severity": finding.severity.value},
                    closed_points if closed else open_points,
                )
            )
    return lines


def _refund_lines(grant: Grant) -> list[ScoreLine]:
    lines = []
    paid = grant.paid_amount or grant.amount
    for refund in grant.refunds:
        share = refund.amount * 100 // paid if paid else 0
        points = next((p for limit, p in REFUND_POINTS if share >= limit), 0)
        lines.append(
            ScoreLine(
                N_("%(reference)s: refund of %(share)s %% of what was paid"),
                {"reference": grant.reference, "share": share},
                points,
            )
        )
    return lines


def partner_score(organisation: Organisation, *, on: date) -> PartnerScore:
    """The organisation's score from all its grants, with one line per thing that counted."""
    grants = list(
        db.session.execute(
            sa.select(Grant)
            .where(Grant.organisation_id == organisation.id)
            .options(
                selectinload(Grant.reports),
                selectinload(Grant.refunds),
                selectinload(Grant.tranches),
            )
            .order_by(Grant.awarded_at, Grant.id)
        ).scalars()
    )
    activities = list(
        db.session.execute(
            sa.select(MonitoringActivity)
            .join(Grant, Grant.id == MonitoringActivity.grant_id)
            .where(
                Grant.organisation_id == organisation.id,
                MonitoringActivity.status == ActivityStatus.DONE,
            )
            .options(
                selectinload(MonitoringActivity.findings).selectinload(
                    MonitoringFinding.recommendations
                )
            )
            .order_by(MonitoringActivity.done_on, MonitoringActivity.id)
        ).scalars()
    )
    lines: list[ScoreLine] = []
    for grant in grants:
        lines += _report_lines(grant, on)
        lines += _finding_lines(grant, [a for a in activities if a.grant_id == grant.id])
        lines += _refund_lines(grant)
    score = max(0, min(100, START + sum(line.points for line in lines)))
    config = settings().monitoring
    profile = db.session.get(OrganisationProfile, organisation.id)
    return PartnerScore(
        organisation_id=organisation.id,
        score=score,
        proposed=proposed_rating(
            score,
            low_risk_score=config.low_risk_score,
            medium_risk_score=config.medium_risk_score,
        ),
        current=profile.risk_rating if profile is not None else None,
        lines=lines,
    )


def rating_to_offer(scored: PartnerScore, history: list[PartnerRating]) -> RiskRating:
    """The rating the decision form starts on: the one last confirmed while the score still reads
    as it did then (a second click must not silently undo a decision), else the proposal."""
    if history and scored.current is not None:
        last = history[0]
        if (
            last.score == scored.score
            and last.proposed == scored.proposed
            and last.confirmed == scored.current
        ):
            return scored.current
    return scored.proposed


def ratings_of(organisation: Organisation) -> list[PartnerRating]:
    """Past decisions on the organisation's rating, the latest first."""
    return list(
        db.session.execute(
            sa.select(PartnerRating)
            .where(PartnerRating.organisation_id == organisation.id)
            .options(selectinload(PartnerRating.decided_by))
            .order_by(PartnerRating.decided_at.desc(), PartnerRating.id.desc())
        ).scalars()
    )


def confirm_rating(
    *, actor: User, organisation: Organisation, rating: RiskRating, on: date
) -> PartnerRating:
    """A person decides the organisation's risk rating after reading its score: the proposed
    one, or another (keeping the current one is a decision too). It sets the tranche schedule
    of the organisation's next grant; grants already awarded keep theirs."""
    ensure_permission(actor, Permission.CONFIRM_RISK_RATING)
    if is_member(actor, organisation.id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another colleague must rate it.")
        )
    profile = db.session.get(OrganisationProfile, organisation.id)
    if profile is None:
        raise NotFound(N_("We could not find that record."))
    if profile.risk_rating is None:
        raise ValidationFailed(
            N_("Verify the organisation first: its first rating is set with its due diligence.")
        )
    chosen = RiskRating(rating)
    scored = partner_score(organisation, on=on)
    previous = profile.risk_rating
    decision = PartnerRating(
        organisation_id=organisation.id,
        score=scored.score,
        lines=[line.as_json() for line in scored.lines],
        proposed=scored.proposed,
        previous=previous,
        confirmed=chosen,
        decided_by_id=actor.id,
    )
    db.session.add(decision)
    profile.risk_rating = chosen
    db.session.flush()
    record_event(
        actor=actor,
        action="organisation.risk_confirmed",
        subject=organisation,
        summary=(
            f"{organisation.name}: partner score {scored.score}, proposed {scored.proposed.value}, "
            f"rating {previous.value} → {chosen.value}"
        ),
        changes={
            "risk_rating": [previous.value, chosen.value],
            "score": [None, scored.score],
            "proposed": [None, scored.proposed.value],
            "partner_rating": [None, decision.id],
        },
    )
    return decision
