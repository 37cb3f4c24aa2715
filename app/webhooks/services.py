"""Webhook endpoints and their deliveries: registering (with the SSRF guard), the events written
in the transaction of the change that causes them, and the bookkeeping of sending them.

Sending itself (HTTP) is app/webhooks/sending.py, run by the worker; like the e-mail outbox
(app/outbox), a delivery is claimed by one sender, retried with a growing pause, then shown as
failed in the delivery log, from which it can be sent again (audited).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import Permission, has_permission
from app.accounts.services import organisation_ids_of
from app.audit.services import record_event
from app.outbox.services import RetryPolicy
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

SIGNATURE_HEADER = "TrustFund-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the marker every signing secret starts with


# --- who may -------------------------------------------------------------------------------


def can_manage_endpoints(actor: User, organisation_id: int | None) -> bool:
    """An organisation's people who act for it manage its endpoints; an administrator manages
    the fund's own (``organisation_id`` None)."""
    if organisation_id is None:
        return has_permission(actor, Permission.MANAGE_SETTINGS)
    return has_permission(actor, Permission.APPLY_FOR_GRANT) and organisation_id in (
        organisation_ids_of(actor)
    )


def ensure_can_manage(actor: User, endpoint: WebhookEndpoint) -> None:
    if not can_manage_endpoints(actor, endpoint.organisation_id):
        raise NotFound(N_("There is no such webhook endpoint."))


# --- where a delivery may go ---------------------------------------------------------------


def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse a URL that is not HTTPS or whose host is, or resolves to, an address that is not
    on the public internet (loopback, private, link-local, the cloud's metadata address...):
    the app must not be made to call its own network (SSRF). ``allow_private`` (tests, a local
    demo) lets plain HTTP and any address through."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationFailed(N_("This is not a valid URL.")) from error
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValidationFailed(N_("A webhook URL must start with https://."))
    host = parts.hostname
    if not host:
        raise ValidationFailed(N_("This is not a valid URL."))
    if allow_private:
        return
    try:
        found = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationFailed(N_("The host of this URL cannot be found.")) from error
    for _family, _type, _proto, _name, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            ip = mapped
        if not ip.is_global or ip.is_multicast:
            raise ValidationFailed(
                N_("Webhooks are sent only to public internet addresses, not to %(address)s."),
                address=str(ip),
            )


# --- endpoints -----------------------------------------------------------------------------


def register_endpoint(
    *,
    actor: User,
    organisation_id: int | None,
    url: str,
    events: Iterable[WebhookEvent],
    allow_private: bool = False,
) -> WebhookEndpoint:
    """A new endpoint, its signing secret made here (shown to those who manage it)."""
    if not can_manage_endpoints(actor, organisation_id):
        raise PermissionDenied(N_("You may not manage this organisation's webhooks."))
    url = url.strip()
    chosen = sorted(set(events))
    if not chosen:
        raise ValidationFailed(N_("Choose at least one event."))
    if len(url) > 500:
        raise ValidationFailed(N_("This URL is too long."))
    check_destination(url, allow_private=allow_private)
    endpoint = WebhookEndpoint(
        organisation_id=organisation_id,
        url=url,
        secret=SECRET_PREFIX + secrets.token_urlsafe(32),
        events=" ".join(chosen),
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    record_event(
        actor=actor,
        action="webhook_endpoint.registered",
        subject=endpoint,
        summary=f"Webhook endpoint {endpoint.id} registered: {url}",
        changes={"events": chosen, "organisation_id": organisation_id},
    )
    return endpoint


def disable_endpoint(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    ensure_can_manage(actor, endpoint)
    if endpoint.disabled_at is None:
        endpoint.disabled_at = utcnow()
        record_event(
            actor=actor,
            action="webhook_endpoint.disabled",
            subject=endpoint,
            summary=f"Webhook endpoint {endpoint.id} disabled: {endpoint.url}",
        )
        db.session.flush()
    return endpoint


def endpoints_for(actor: User) -> list[WebhookEndpoint]:
    """The endpoints ``actor`` manages: their organisations', and the fund's for an admin."""
    conditions = []
    own = organisation_ids_of(actor) if has_permission(actor, Permission.APPLY_FOR_GRANT) else set()
    if own:
        conditions.append(WebhookEndpoint.organisation_id.in_(own))
    if has_permission(actor, Permission.MANAGE_SETTINGS):
        conditions.append(WebhookEndpoint.organisation_id.is_(None))
    if not conditions:
        return []
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(sa.or_(*conditions))
            .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
        )
    )


def get_endpoint(*, actor: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(N_("There is no such webhook endpoint."))
    ensure_can_manage(actor, endpoint)
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint, *, limit: int = 100) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


# --- events --------------------------------------------------------------------------------


def emit(
    event: WebhookEvent, *, organisation_id: int, data: dict[str, Any], now: datetime | None = None
) -> str | None:
    """Queue ``event`` about ``organisation_id``'s object for every endpoint that wants it: that
    organisation's and the fund's. In the caller's transaction; the event id, or None when no
    endpoint wants it."""
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint).where(
            WebhookEndpoint.disabled_at.is_(None),
            sa.or_(
                WebhookEndpoint.organisation_id == organisation_id,
                WebhookEndpoint.organisation_id.is_(None),
            ),
        )
    ).all()
    wanting = [endpoint for endpoint in endpoints if event in endpoint.event_set]
    if not wanting:
        return None
    now = now or utcnow()
    event_id = f"evt_{uuid.uuid4().hex}"
    body = json.dumps(
        {"id": event_id, "type": event.value, "created": now.isoformat(), "data": data},
        sort_keys=True,
    )
    for endpoint in wanting:
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id=event_id,
                event_type=event,
                payload=body,
                next_attempt_at=now,
                created_at=now,
            )
        )
    db.session.flush()
    return event_id


def on_transition(workflow: str, obj: Any, source: Any, target: Any, actor: Any) -> None:
    """Subscribed to the application and tranche workflows (app/bootstrap.py): the events
    partners can ask for, written with the move that causes them."""
    if workflow == "application":
        emit(
            WebhookEvent.APPLICATION_STATUS_CHANGED,
            organisation_id=obj.organisation_id,
            data={
                "application": {
                    "id": obj.id,
                    "reference": obj.reference,
                    "organisation_id": obj.organisation_id,
                    "status": target.value,
                    "previous_status": source.value,
                }
            },
        )
    elif workflow == "tranche" and target.value == "paid":
        grant = obj.grant
        emit(
            WebhookEvent.TRANCHE_PAID,
            organisation_id=grant.organisation_id,
            data={
                "tranche": {
                    "id": obj.id,
                    "reference": obj.reference,
                    "grant_id": grant.id,
                    "grant_reference": grant.reference,
                    "organisation_id": grant.organisation_id,
                    "amount": {"amount_minor": str(obj.amount), "currency": grant.currency},
                }
            },
        )


# --- signing -------------------------------------------------------------------------------


def signature_header(secret: str, body: str, *, timestamp: int) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, as Stripe signs its webhooks:
    the timestamp inside the signature lets a receiver refuse an old message replayed."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: str, body: str, header: str, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does (docs/api.md): the signature matches and is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = signature_header(secret, body, timestamp=timestamp).split("v1=")[1]
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, fields.get("v1", ""))


# --- sending's bookkeeping -----------------------------------------------------------------


def due_delivery_ids(*, now: datetime, limit: int = 100) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


def claim_delivery(*, delivery_id: int, now: datetime, policy: RetryPolicy) -> bool:
    """Take a due delivery for one sender (one conditional UPDATE, as the outbox does)."""
    result = db.session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(
            attempts=WebhookDelivery.attempts + 1,
            next_attempt_at=now + timedelta(seconds=policy.claim_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    return cast(Any, result).rowcount == 1


def record_delivered(*, delivery: WebhookDelivery, status_code: int, now: datetime) -> None:
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.last_status_code = status_code
    delivery.last_error = None


def record_failure(
    *,
    delivery: WebhookDelivery,
    error: str,
    status_code: int | None,
    now: datetime,
    policy: RetryPolicy,
) -> None:
    delivery.last_error = error[:2000]
    delivery.last_status_code = status_code
    if delivery.attempts >= policy.max_attempts:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + policy.pause_after(delivery.attempts)


def send_again(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a delivery again, now, with the same event id (the receiver can tell it is the
    same event): after a failure, or when the receiver lost what it got."""
    ensure_can_manage(actor, delivery.endpoint)
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict(N_("This delivery is already waiting to be sent."))
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    record_event(
        actor=actor,
        action="webhook_delivery.send_again",
        subject=delivery,
        summary=f"Webhook {delivery.event_id} to {delivery.endpoint.url} queued again",
    )
    db.session.flush()
    return delivery
