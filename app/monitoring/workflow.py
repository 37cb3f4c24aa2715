"""The life of a recommendation: open → the grantee responds → the fund manager closes it, or
reopens it (from responded or closed) with a reason the grantee reads."""

from __future__ import annotations

from typing import Any

from app.accounts.permissions import Permission, is_member
from app.monitoring.models import MonitoringRecommendation, RecommendationStatus
from app.platform.errors import N_, PermissionDenied, SegregationOfDuties
from app.workflow import Workflow, transitions


def _guard_grantee(recommendation: MonitoringRecommendation, actor: Any) -> None:
    if not is_member(actor, recommendation.grant.organisation_id):
        raise PermissionDenied(N_("Only the grantee organisation's own staff can do this."))


def _guard_not_grantee(recommendation: MonitoringRecommendation, actor: Any) -> None:
    if is_member(actor, recommendation.grant.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the grantee organisation, so another colleague must do this.")
        )


RECOMMENDATION_WORKFLOW = Workflow(
    "monitoring_recommendation",
    [
        transitions(
            [RecommendationStatus.OPEN],
            RecommendationStatus.RESPONDED,
            Permission.SUBMIT_GRANT_REPORT,
            _guard_grantee,
        ),
        transitions(
            [RecommendationStatus.RESPONDED],
            RecommendationStatus.CLOSED,
            Permission.MANAGE_MONITORING,
            _guard_not_grantee,
        ),
        transitions(
            [RecommendationStatus.RESPONDED, RecommendationStatus.CLOSED],
            RecommendationStatus.OPEN,
            Permission.MANAGE_MONITORING,
            _guard_not_grantee,
        ),
    ],
)
