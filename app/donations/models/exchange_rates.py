"""The monthly exchange rates every contribution in another currency is converted at."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.platform.db import Model, TimestampMixin

# Exchange rates and the copies kept on each conversion. Ten significant digits at most
# (checked by the service), so the value is exact on SQLite too.
Rate = sa.Numeric(18, 8)


class ExchangeRate(TimestampMixin, Model):
    """A monthly UN operational rate of exchange: units of ``currency`` for one unit of the
    functional currency, in force from the first day of ``month`` until the next one."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        sa.UniqueConstraint("currency", "month"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    # Always the first day of the month.
    month: Mapped[date] = mapped_column(sa.Date)
    rate: Mapped[Decimal] = mapped_column(Rate)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<ExchangeRate {self.currency} {self.month:%Y-%m} {self.rate}>"
