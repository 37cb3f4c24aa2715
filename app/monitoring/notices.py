"""Who is told of a new recommendation: the grantee's staff (its later moves, answered, closed,
reopened, are told by app/handoffs.py like every workflow's). The notification carries the
grant's reference and a link only (DESIGN.md §6); its e-mail leaves once the change is
committed."""

from __future__ import annotations

from app.monitoring.models import MonitoringRecommendation
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all, organisation_staff


def recommendation_to_grantee(recommendation: MonitoringRecommendation) -> None:
    """Made: the grantee's staff have something to do by the due date."""
    notify_all(
        organisation_staff(recommendation.grant.organisation_id),
        kind=NotificationKind.MONITORING_RECOMMENDATION,
        link=link_to("monitoring.recommendation", recommendation_id=recommendation.id),
        params={"reference": recommendation.grant.reference},
    )
