"""A copied pair's page: the two proposals side by side, the shared passages highlighted and
numbered alike in both, and the screener's decision. The fund's screeners only; anyone else
gets a 404 (decision 0086)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission
from app.copies.access import may_see_pair
from app.copies.decisions import decide
from app.copies.models import CopyFlag
from app.copies.reading import compare
from app.copies.web.forms import DecisionForm
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import requires
from app.web.lookup import visible_or_404

bp = Blueprint("copies", __name__, template_folder="../templates", url_prefix="/screening/copies")


def _page(flag: CopyFlag, form: DecisionForm, status: int = 200) -> Any:
    return (
        render_template("copies/pair.html", comparison=compare(current_user, flag), form=form),
        status,
    )


@bp.get("/<int:flag_id>")
@requires(Permission.SCREEN_APPLICATION)
def pair(flag_id: int) -> Any:
    flag = visible_or_404(CopyFlag, flag_id, may_see_pair)
    form = DecisionForm(
        formdata=None,
        decision=flag.decision.value if flag.decision else None,
        reason=flag.decision_reason,
    )
    return _page(flag, form)


@bp.post("/<int:flag_id>/decision")
@requires(Permission.SCREEN_APPLICATION)
def decision(flag_id: int) -> Any:
    flag = visible_or_404(CopyFlag, flag_id, may_see_pair)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(flag, form, 422)
    try:
        decide(current_user, flag, form.decision.data or "", form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        form.reason.errors = [error.translated(_)]
        return _page(flag, form, 422)
    db.session.commit()
    flash(_("Your decision on these two proposals is recorded."), "success")
    return redirect(url_for("copies.pair", flag_id=flag.id))
