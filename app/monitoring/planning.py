"""The visit plan proposed for a grant from its risk rating and its size.

High risk, or a grant of at least ``large_grant_amount``: a monitoring visit in each year of the
grant (six months into it) and a financial spot check before each tranche after the first.
Medium risk: one visit half way and a spot check before the last tranche. Low risk: one visit
half way. The fund manager accepts the plan (it becomes planned activities) or plans by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.applications.models import RiskRating
from app.grants.models import Grant
from app.grants.services.common import add_months
from app.monitoring.models import ActivityKind
from app.platform.errors import N_


@dataclass(frozen=True)
class ProposedActivity:
    kind: ActivityKind
    planned_on: date
    reason: str  # msgid, with ``params``
    params: dict[str, object]


def is_intensive(grant: Grant, *, large_grant_amount: int) -> bool:
    """Monitored as closely as the fund can: high risk, or a large grant."""
    return grant.risk_rating == RiskRating.HIGH or grant.amount >= large_grant_amount


def _midway(grant: Grant) -> date:
    return grant.start_date + (grant.end_date - grant.start_date) // 2


def propose_plan(
    grant: Grant, *, large_grant_amount: int, spot_check_lead_days: int
) -> list[ProposedActivity]:
    """The activities the fund should plan for ``grant``, by date."""
    plan: list[ProposedActivity] = []
    later_tranches = [t for t in grant.tranches if t.number > 1]
    if is_intensive(grant, large_grant_amount=large_grant_amount):
        year = 0
        while True:
            visit_on = add_months(grant.start_date, 6 + 12 * year)
            if visit_on > grant.end_date:
                break
            year += 1
            plan.append(
                ProposedActivity(
                    ActivityKind.VISIT,
                    visit_on,
                    N_("Year %(year)s of a high-risk or large grant"),
                    {"year": year},
                )
            )
        if not plan:  # a grant shorter than six months is still visited once
            plan.append(
                ProposedActivity(
                    ActivityKind.VISIT,
                    _midway(grant),
                    N_("Year %(year)s of a high-risk or large grant"),
                    {"year": 1},
                )
            )
        for tranche in later_tranches:
            plan.append(
                ProposedActivity(
                    ActivityKind.SPOT_CHECK,
                    tranche.planned_date - timedelta(days=spot_check_lead_days),
                    N_("Before tranche %(number)s"),
                    {"number": tranche.number},
                )
            )
    else:
        plan.append(
            ProposedActivity(ActivityKind.VISIT, _midway(grant), N_("Half way through"), {})
        )
        if grant.risk_rating == RiskRating.MEDIUM and later_tranches:
            last = later_tranches[-1]
            plan.append(
                ProposedActivity(
                    ActivityKind.SPOT_CHECK,
                    last.planned_date - timedelta(days=spot_check_lead_days),
                    N_("Before tranche %(number)s"),
                    {"number": last.number},
                )
            )
    return sorted(plan, key=lambda item: (item.planned_on, item.kind))


# An activity of the same kind planned or done this close to a proposed date stands for it.
NEARBY_DAYS = 90


def pending_proposals(
    plan: list[ProposedActivity],
    *,
    existing: list[tuple[ActivityKind, date]],
    today: date,
    spot_check_lead_days: int,
) -> list[ProposedActivity]:
    """What of ``plan`` is still to plan, from ``today`` on. A visit whose date has passed is
    proposed today, unless one of that kind was planned or done near its date or near today; a
    spot check whose tranche is already due is dropped (it checks before paying)."""
    taken = list(existing)
    pending: list[ProposedActivity] = []
    for item in plan:
        day = item.planned_on
        if day < today:
            if (
                item.kind == ActivityKind.SPOT_CHECK
                and day + timedelta(days=spot_check_lead_days) <= today
            ):
                continue
            near = [day, today]
            day = today
        else:
            near = [day]
        if any(
            kind == item.kind and abs((when - around).days) < NEARBY_DAYS
            for kind, when in taken
            for around in near
        ):
            continue
        taken.append((item.kind, day))
        pending.append(ProposedActivity(item.kind, day, item.reason, item.params))
    return pending
