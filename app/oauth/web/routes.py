"""/admin/api-clients: the administrator registers OAuth clients, sees a secret once, rotates
and revokes it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Organisation, OrganisationKind
from app.accounts.permissions import Permission
from app.oauth import services as oauth
from app.oauth.models import ClientRole, OAuthClient
from app.oauth.web.forms import ROLE_LABELS, SCOPE_LABELS, RegisterClientForm
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.tokens.models import TokenScope
from app.web.access import requires

bp = Blueprint(
    "oauth_clients", __name__, template_folder="../templates", url_prefix="/admin/api-clients"
)


def _form() -> RegisterClientForm:
    form = RegisterClientForm()
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.NGO)
        .order_by(Organisation.name)
    ).all()
    form.acts_as.choices = [
        ("", _("Choose…")),
        *[(f"role:{role.value}", str(label)) for role, label in ROLE_LABELS.items()],
        *[(f"organisation:{org_id}", name) for org_id, name in organisations],
    ]
    return form


def _index(form: RegisterClientForm) -> Any:
    return render_template(
        "oauth/index.html",
        form=form,
        clients=oauth.clients(),
        role_labels=ROLE_LABELS,
        scope_labels=SCOPE_LABELS,
    )


def _shown_once(client: OAuthClient, secret: str) -> Any:
    # Shown in this response only: no redirect, so the secret never sits in the session.
    response = current_app.make_response(
        render_template("oauth/secret.html", client=client, secret=secret)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@requires(Permission.MANAGE_USERS)
def index() -> Any:
    return _index(_form())


@bp.post("/")
@requires(Permission.MANAGE_USERS)
def register() -> Any:
    form = _form()
    if not form.validate_on_submit():
        return _index(form), 422
    kind, _sep, value = (form.acts_as.data or "").partition(":")
    role = ClientRole(value) if kind == "role" else None
    organisation = db.session.get(Organisation, int(value)) if kind == "organisation" else None
    try:
        client, secret = oauth.register_client(
            actor=current_user,
            name=form.name.data or "",
            scopes=[TokenScope(v) for v in [*(form.scopes.data or []), *(form.areas.data or [])]],
            role=role,
            organisation=organisation,
        )
    except DomainError as error:
        db.session.rollback()
        form.name.errors = [*form.name.errors, error.translated(_)]
        return _index(form), error.status_code
    db.session.commit()
    return _shown_once(client, secret)


@bp.post("/<int:client_pk>/rotate")
@requires(Permission.MANAGE_USERS)
def rotate(client_pk: int) -> Any:
    client, secret = oauth.rotate_secret(actor=current_user, client=oauth.get_client(client_pk))
    db.session.commit()
    return _shown_once(client, secret)


@bp.post("/<int:client_pk>/revoke")
@requires(Permission.MANAGE_USERS)
def revoke(client_pk: int) -> Any:
    client = oauth.revoke_client(actor=current_user, client=oauth.get_client(client_pk))
    db.session.commit()
    flash(_("The client “%(name)s” is revoked.", name=client.name), "success")
    return redirect(url_for("oauth_clients.index"))
