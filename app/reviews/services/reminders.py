"""Reminders to reviewers whose review is due soon or overdue (`flask reviews remind`)."""

from __future__ import annotations

from datetime import date

from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reviews.queries.assignments import assignments_to_remind


def send_review_reminders(*, today: date | None = None) -> int:
    """Remind reviewers of reviews due soon or overdue; at most once a day per assignment."""
    today = today or utcnow().date()
    sent = 0
    for assignment in assignments_to_remind(today=today):
        notify(
            user=assignment.reviewer,
            kind=NotificationKind.REVIEW_REMINDER,
            link=link_to("reviews.assignment", assignment_id=assignment.id),
            params={
                "reference": assignment.application.reference,
                "due_on": assignment.due_on.isoformat(),
                "overdue": assignment.due_on < today,
            },
        )
        assignment.reminded_on = today
        record_event(
            actor=None,
            action="review_assignment.reminded",
            subject=assignment,
            summary=f"{assignment.application.reference}: reviewer reminded (due "
            f"{assignment.due_on})",
        )
        sent += 1
    db.session.flush()
    return sent
