"""Results frameworks for tests: a standard indicator by code, a framework written straight
onto an application (one the Board approved can no longer be edited), and settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.applications.models import Application
from app.platform.extensions import db
from app.results.models import (
    IndicatorUnit,
    ResultIndicator,
    ResultOutcome,
    ResultOutput,
    ResultTarget,
    StandardIndicator,
)
from tests.settings_support import change_settings


def standard(code: str) -> StandardIndicator:
    """One of the indicators the migration seeds (VA-SHELTER, FW-TRAINED, ...)."""
    found = db.session.scalar(sa.select(StandardIndicator).where(StandardIndicator.code == code))
    assert found is not None, code
    return found


def framework_for(
    application: Application, *indicators: tuple[str | None, IndicatorUnit, list[int]]
) -> list[ResultIndicator]:
    """One outcome, one output, and an indicator per (standard code or None for an own
    indicator, unit, yearly targets)."""
    outcome = ResultOutcome(application_id=application.id, statement="Survivors recover safely")
    output = ResultOutput(statement="Shelter and care given")
    outcome.outputs.append(output)
    made = []
    for position, (code, unit, targets) in enumerate(indicators):
        indicator = ResultIndicator(
            position=position,
            standard_id=standard(code).id if code else None,
            own_name="" if code else "Families reunited",
            unit=unit,
            baseline=0,
            targets=[ResultTarget(year=y, value=v) for y, v in enumerate(targets, start=1)],
        )
        output.indicators.append(indicator)
        made.append(indicator)
    db.session.add(outcome)
    db.session.flush()
    return made


def require_frameworks(monkeypatch: Any, app: Any, required: bool = True) -> None:
    change_settings(monkeypatch, app, "results", framework_required=required)
