"""The notification centre: what needs the user's attention, read or not, with links."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.notifications import services as notices
from app.notifications.web.badge import unread_count_for_badge
from app.notifications.web.messages import sentence
from app.platform.extensions import db
from app.web.access import login_required
from app.web.forms import is_safe_redirect, page_number

bp = Blueprint(
    "notifications", __name__, template_folder="../templates", url_prefix="/notifications"
)


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """The navbar's unread count, for signed-in people only."""
    if not current_user or not current_user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count_for_badge(current_user)}


@bp.get("/")
@login_required
def index() -> Any:
    page = db.paginate(
        notices.notifications_for(current_user),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("notifications/index.html", page=page, sentence=sentence)


@bp.get("/<int:notification_id>")
@login_required
def follow(notification_id: int) -> Any:
    """Open the page the notification points to, marking it read on the way."""
    notification = notices.open_notification(actor=current_user, notification_id=notification_id)
    db.session.commit()
    if is_safe_redirect(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all() -> Any:
    count = notices.mark_all_read(actor=current_user)
    db.session.commit()
    flash(_("%(count)d notification(s) marked as read.", count=count), "info")
    return redirect(url_for("notifications.index"))
