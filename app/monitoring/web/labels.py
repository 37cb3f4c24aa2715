"""Translated labels for the monitoring codes, and the partner score's lines in the reader's
language."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.grants.models import ReportKind
from app.grants.web.labels import grant_day, grant_label
from app.monitoring.models import (
    ActivityKind,
    ActivityStatus,
    FindingSeverity,
    RecommendationStatus,
)
from app.web.labels import label

LABELS: dict[StrEnum, LazyString] = {
    ActivityKind.VISIT: _l("Monitoring visit"),
    ActivityKind.SPOT_CHECK: _l("Financial spot check"),
    ActivityKind.AUDIT: _l("Audit"),
    ActivityStatus.PLANNED: _l("Planned"),
    ActivityStatus.DONE: _l("Done"),
    FindingSeverity.LOW: _l("Low"),
    FindingSeverity.MEDIUM: _l("Medium"),
    FindingSeverity.HIGH: _l("High"),
    RecommendationStatus.OPEN: _l("Open, waiting for the grantee"),
    RecommendationStatus.RESPONDED: _l("Answered, waiting for the fund"),
    RecommendationStatus.CLOSED: _l("Closed"),
}


def monitoring_label(value: Any) -> str:
    """The label of a monitoring code (or of any shared one, such as a risk rating)."""
    if isinstance(value, StrEnum) and value in LABELS:
        return str(LABELS[value])
    return label(value)


def choices(vocabulary: type[StrEnum]) -> list[tuple[str, LazyString]]:
    return [(member.value, LABELS[member]) for member in vocabulary]


def _kind(code: str) -> str:
    if code in {k.value for k in ActivityKind}:
        return str(LABELS[ActivityKind(code)])
    return grant_label(ReportKind(code))


def score_line(line: dict[str, Any]) -> str:
    """One line of a partner score, its codes and dates in the reader's language."""
    params = dict(line.get("params") or {})
    if "kind" in params:
        params["kind"] = _kind(str(params["kind"]))
    if "severity" in params:
        params["severity"] = str(LABELS[FindingSeverity(params["severity"])])
    if "date" in params:
        params["date"] = grant_day(date.fromisoformat(str(params["date"])))
    return _(str(line["label"]), **params)
