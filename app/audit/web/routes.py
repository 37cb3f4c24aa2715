"""Browsing the audit log (auditor and admin), with filters and pagination."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import func, select

from app.accounts.permissions import Permission
from app.audit.models import AuditEvent
from app.platform.extensions import db
from app.web.access import requires
from app.web.forms import page_number

bp = Blueprint("audit", __name__, template_folder="../templates", url_prefix="/audit")


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/")
@requires(Permission.VIEW_AUDIT_LOG)
def events() -> Any:
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "").strip()
    subject_type = request.args.get("subject_type", "").strip()
    subject_id = request.args.get("subject_id", "").strip()
    since = _parse_date(request.args.get("since"))
    until = _parse_date(request.args.get("until"))
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if actor:
        query = query.where(func.lower(AuditEvent.actor_label).like(f"%{actor.lower()}%"))
    if action:
        query = query.where(AuditEvent.action.like(f"{action}%"))
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if since:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(since, time.min, UTC))
    if until:
        end = datetime.combine(until, time.min, UTC) + timedelta(days=1)
        query = query.where(AuditEvent.occurred_at < end)
    filters = {
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "since": since,
        "until": until,
    }
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    subject_types = (
        db.session.execute(
            select(AuditEvent.subject_type).where(AuditEvent.subject_type.is_not(None)).distinct()
        )
        .scalars()
        .all()
    )
    return render_template(
        "audit/events.html", page=page, filters=filters, subject_types=sorted(subject_types)
    )
