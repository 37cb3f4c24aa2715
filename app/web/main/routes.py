"""Home page, health check and the language switcher."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.web.work_queue import waiting_for
from app.web.access import public
from app.web.forms import is_safe_redirect

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index() -> str:
    # A signed-in member of staff starts from what is waiting for them (reviewers and
    # administrators have no dashboard: this is where they see it).
    queue = waiting_for(current_user, on=utcnow().date()) if current_user.is_authenticated else []
    return render_template(
        "main/index.html", fund_name=current_app.config["FUND_NAME"], queue=queue
    )


@bp.get("/healthz")
@public
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure of the database means "not healthy", never a 500
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    body = {"status": "ok" if status == 200 else "degraded", "database": database}
    return jsonify(body), status


@bp.post("/language")
@public
def set_language() -> Any:
    code = request.form.get("language", "")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next") or request.referrer or "/"
    return redirect(target if is_safe_redirect(target) else "/")
