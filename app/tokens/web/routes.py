"""/account/tokens: a person's personal access tokens for the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.platform.errors import DomainError, PermissionDenied
from app.platform.extensions import db
from app.tokens import services as tokens
from app.tokens.models import TokenScope
from app.tokens.web.forms import SCOPE_LABELS, CreateTokenForm
from app.web.access import login_required

bp = Blueprint("tokens", __name__, template_folder="../templates", url_prefix="/account/tokens")


def _asks_for_code() -> bool:
    return bool(current_app.config["REQUIRE_2FA_FOR_STAFF"] and current_user.is_staff)


def _index(form: CreateTokenForm) -> Any:
    return render_template(
        "tokens/index.html",
        form=form,
        tokens=tokens.tokens_of(current_user),
        asks_for_code=_asks_for_code(),
        scope_labels=SCOPE_LABELS,
    )


@bp.get("/")
@login_required
def index() -> Any:
    return _index(CreateTokenForm())


@bp.post("/")
@login_required
def create() -> Any:
    form = CreateTokenForm()
    if not form.validate_on_submit():
        return _index(form), 422
    try:
        token, secret = tokens.create_token(
            actor=current_user,
            name=form.name.data or "",
            scopes=[
                TokenScope(value) for value in [*(form.scopes.data or []), *(form.areas.data or [])]
            ],
            days=form.days.data or tokens.DEFAULT_DAYS,
            second_factor=form.code.data,
            staff_requires_2fa=_asks_for_code(),
        )
    except DomainError as error:
        db.session.rollback()
        # The only refusal the form cannot foresee is a wrong code; the rest are its own checks.
        target = form.code if isinstance(error, PermissionDenied) else form.name
        target.errors = [*target.errors, error.translated(_)]
        return _index(form), error.status_code
    db.session.commit()
    # Shown in this response only: no redirect, so the secret never sits in the session.
    response = current_app.make_response(
        render_template("tokens/created.html", token=token, secret=secret)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Any:
    token = tokens.revoke_token(actor=current_user, token_id=token_id)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
