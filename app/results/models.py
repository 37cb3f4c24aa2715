"""The fund's standard indicators and a proposal's results framework with its actuals.

A framework belongs to the application (outcomes → outputs → indicators, each indicator with
a baseline and a target for each project year); the grant awarded from the application reads
it through ``grant.application`` (decision 0112): a submitted proposal can no longer change,
so the grant's framework is the one the Board approved. Each progress or final report gives
one actual per indicator: for people and numbers, what was achieved in the report's own period
(so a grant's actuals add up, as the people-assisted figures do); for percentages, the level
reached at the end of the period.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class IndicatorUnit(StrEnum):
    PEOPLE = "people"
    NUMBER = "number"
    PERCENT = "percent"


# Units whose actuals add up over periods and grants (a percentage does not).
ADDITIVE_UNITS = frozenset({IndicatorUnit.PEOPLE, IndicatorUnit.NUMBER})


class SdgTarget(StrEnum):
    """The SDG targets the fund's work serves (DOMAIN.md)."""

    SDG_5_2 = "5.2"
    SDG_8_7 = "8.7"
    SDG_16_2 = "16.2"


class StandardIndicator(Model):
    """An indicator on the list the fund keeps; proposals choose from the active ones."""

    __tablename__ = "results_standard_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # The English name, and the name in other languages by language code ({"fr": "..."}).
    name: Mapped[str] = mapped_column(sa.String(300))
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    unit: Mapped[IndicatorUnit] = mapped_column(str_enum(IndicatorUnit, "indicator_unit"))
    sdg_target: Mapped[SdgTarget] = mapped_column(str_enum(SdgTarget, "indicator_sdg_target"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def name_in(self, locale: str) -> str:
        return (self.names or {}).get(locale.split("_")[0]) or self.name

    def __repr__(self) -> str:
        return f"<StandardIndicator {self.code}>"


class ResultOutcome(Model):
    __tablename__ = "results_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    statement: Mapped[str] = mapped_column(sa.String(500))

    outputs: Mapped[list[ResultOutput]] = relationship(
        back_populates="outcome",
        cascade="all, delete-orphan",
        order_by="ResultOutput.position",
    )


class ResultOutput(Model):
    __tablename__ = "results_outputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        sa.ForeignKey("results_outcomes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    statement: Mapped[str] = mapped_column(sa.String(500))

    outcome: Mapped[ResultOutcome] = relationship(back_populates="outputs")
    indicators: Mapped[list[ResultIndicator]] = relationship(
        back_populates="output",
        cascade="all, delete-orphan",
        order_by="ResultIndicator.position",
    )


class ResultIndicator(Model):
    """One indicator of a framework: a standard one (``standard_id``) or the grantee's own
    (``own_name``); the unit is copied from the standard indicator when chosen."""

    __tablename__ = "results_indicators"
    __table_args__ = (
        sa.CheckConstraint("baseline >= 0", name="baseline_not_negative"),
        sa.CheckConstraint("(standard_id IS NOT NULL) OR (own_name <> '')", name="standard_or_own"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(
        sa.ForeignKey("results_outputs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    standard_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("results_standard_indicators.id"), index=True
    )
    own_name: Mapped[str] = mapped_column(sa.String(300), default="")
    unit: Mapped[IndicatorUnit] = mapped_column(str_enum(IndicatorUnit, "results_indicator_unit"))
    baseline: Mapped[int] = mapped_column(default=0)

    output: Mapped[ResultOutput] = relationship(back_populates="indicators")
    standard: Mapped[StandardIndicator | None] = relationship(lazy="joined")
    targets: Mapped[list[ResultTarget]] = relationship(
        back_populates="indicator",
        cascade="all, delete-orphan",
        order_by="ResultTarget.year",
    )

    def name_in(self, locale: str) -> str:
        return self.standard.name_in(locale) if self.standard else self.own_name

    def target(self, year: int) -> int | None:
        for row in self.targets:
            if row.year == year:
                return row.value
        return None

    @property
    def total_target(self) -> int:
        """The end-of-project target: the years' sum, or the last year's level (percent)."""
        values = [row.value for row in self.targets]
        if not values:
            return 0
        return sum(values) if self.unit in ADDITIVE_UNITS else values[-1]


class ResultTarget(Model):
    """The target of one indicator for one project year (year 1 starts on the start date)."""

    __tablename__ = "results_targets"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "year"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("year >= 1", name="year_from_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("results_indicators.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column()
    value: Mapped[int] = mapped_column()

    indicator: Mapped[ResultIndicator] = relationship(back_populates="targets")


class ResultActual(Model):
    """What one report says was achieved on one indicator, and why it is off target."""

    __tablename__ = "results_actuals"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "indicator_id"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("results_indicators.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column()
    # The target the value was measured against when saved (pro rata for the period).
    expected: Mapped[int] = mapped_column(default=0)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    indicator: Mapped[ResultIndicator] = relationship(lazy="joined")
