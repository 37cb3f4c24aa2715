"""A partner's webhook endpoint and each delivery of an event to it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.platform.db import Model, UTCDateTime, str_enum, utcnow


class WebhookEvent(StrEnum):
    APPLICATION_STATUS_CHANGED = "application.status_changed"
    TRANCHE_PAID = "tranche.paid"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed: shown in the log, can be sent again


class WebhookEndpoint(Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose events it receives: one organisation's, or (None) the fund's own systems', which
    # receive every organisation's.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(500))
    # Kept readable: every delivery is signed with it (HMAC-SHA256), as Stripe keeps its own.
    secret: Mapped[str] = mapped_column(sa.String(80))
    # Space-separated WebhookEvent values.
    events: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def event_set(self) -> frozenset[WebhookEvent]:
        return frozenset(WebhookEvent(value) for value in self.events.split())


class WebhookDelivery(Model):
    """One event for one endpoint: written in the transaction of the change that caused it,
    sent by the worker (app/webhooks/sending.py)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The same event is never queued twice for an endpoint.
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    # The event's id, the same on every attempt and every endpoint: receivers deduplicate by it.
    event_id: Mapped[str] = mapped_column(sa.String(40))
    event_type: Mapped[WebhookEvent] = mapped_column(str_enum(WebhookEvent, "webhook_event"))
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship()
