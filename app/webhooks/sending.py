"""Sending the due webhook deliveries: each claimed, posted with its signature and recorded, in
commits of its own. Run by the worker's task (app/tasks.py), by `flask webhooks send` and by the
tests; safe to run in several processes at once (a delivery is claimed by one sender)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import requests
from flask import current_app  # noqa: TID251 - the sender's loop, run like a command

from app.outbox.services import RetryPolicy
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.webhooks.models import DeliveryStatus, WebhookDelivery
from app.webhooks.services import (
    SIGNATURE_HEADER,
    check_destination,
    claim_delivery,
    due_delivery_ids,
    record_delivered,
    record_failure,
    signature_header,
)

TIMEOUT_SECONDS = 10


@dataclass
class Delivered:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def retry_policy() -> RetryPolicy:
    config = current_app.config
    return RetryPolicy(
        max_attempts=config["WEBHOOK_MAX_ATTEMPTS"],
        first_pause_seconds=config["OUTBOX_FIRST_PAUSE_SECONDS"],
        longest_pause_seconds=config["OUTBOX_LONGEST_PAUSE_SECONDS"],
        claim_seconds=config["OUTBOX_CLAIM_SECONDS"],
    )


def deliver_due(*, limit: int = 100, now: datetime | None = None) -> Delivered:
    """Post the deliveries due at ``now`` (default: the present), at most ``limit``."""
    policy = retry_policy()
    moment = now or utcnow()
    done = Delivered()
    for due_id in due_delivery_ids(now=moment, limit=limit):
        claimed = claim_delivery(delivery_id=due_id, now=moment, policy=policy)
        db.session.commit()  # the claim holds whatever happens while sending
        if not claimed:
            continue
        delivery = db.session.get(WebhookDelivery, due_id)
        if delivery is None:
            continue
        _post(delivery, done=done, now=moment, policy=policy)
        db.session.commit()
    return done


def _post(
    delivery: WebhookDelivery, *, done: Delivered, now: datetime, policy: RetryPolicy
) -> None:
    endpoint = delivery.endpoint
    status_code: int | None = None
    try:
        if endpoint.disabled_at is not None:
            raise _NotSent("the endpoint is disabled")
        # Checked again at each attempt: the name may now point somewhere else.
        check_destination(endpoint.url, allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE"])
        response = requests.post(
            endpoint.url,
            data=delivery.payload.encode(),
            headers={
                "Content-Type": "application/json",
                "User-Agent": "TrustFundGrants-Webhooks/1",
                "TrustFund-Event-Id": delivery.event_id,
                "TrustFund-Event-Type": delivery.event_type.value,
                SIGNATURE_HEADER: signature_header(
                    endpoint.secret, delivery.payload, timestamp=int(time.time())
                ),
            },
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,  # a redirect could lead to an address the guard refuses
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            raise _NotSent(f"HTTP {status_code}")
    except (requests.RequestException, DomainError, _NotSent) as error:
        reason = error.message if isinstance(error, DomainError) else str(error)
        record_failure(
            delivery=delivery, error=reason, status_code=status_code, now=now, policy=policy
        )
        current_app.logger.warning(
            "Webhook %s to %s not delivered (attempt %s): %s",
            delivery.event_id,
            endpoint.url,
            delivery.attempts,
            reason,
        )
        if delivery.status == DeliveryStatus.FAILED:
            done.failed += 1
        else:
            done.retrying += 1
    else:
        record_delivered(delivery=delivery, status_code=status_code, now=utcnow())
        done.delivered += 1


class _NotSent(Exception):
    """The endpoint answered other than 2xx, or may not be called."""
