"""Who is told that a grant's report falls due (a reminder, not a move: the hand-offs at each move
are in app/handoffs.py). Notifications carry a reference and a link, never case details
(DESIGN.md §6); their e-mails leave only once the change is committed.
"""

from __future__ import annotations

from app.grants.models import GrantReport
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all, organisation_staff


def report_due(report: GrantReport, *, title: str) -> None:
    """The grantee's staff: a report falls due (or is overdue)."""
    due = report.due_date.isoformat()
    notify_all(
        organisation_staff(report.grant.organisation_id),
        kind=NotificationKind.ATTENTION_NEEDED,
        link=link_to("grants.edit_report", report_id=report.id),
        params={"reference": f"{report.grant.reference}, {title}, due {due}"},
    )
