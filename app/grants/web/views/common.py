"""What every grant page shares: run one service and commit, where to go back to, and
whether the visitor acts for the fund on this grant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, has_permission, is_member
from app.grants.models import Grant
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.forms import is_safe_redirect


def perform(action: Callable[[], Any], *, success: str, target: str) -> Any:
    """Run one service and commit; a refusal is rolled back and explained where it came from."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(target)
    db.session.commit()
    flash(success, "success")
    return redirect(target)


def grant_url(grant_id: int, anchor: str = "") -> str:
    return url_for("grants.show", grant_id=grant_id) + (f"#{anchor}" if anchor else "")


def back(default: str) -> str:
    """Where to return after an action started from a list (same site only)."""
    target = request.form.get("next")
    return target if target and is_safe_redirect(target) else default


def _fund_side(grant: Grant) -> bool:
    return not is_member(current_user, grant.organisation_id)


def may(permission: Permission, grant: Grant) -> bool:
    return has_permission(current_user, permission) and _fund_side(grant)
