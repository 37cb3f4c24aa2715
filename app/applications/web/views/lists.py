"""The NGO's applications, the fund's list of all applications, and starting one."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload, load_only

from app.accounts.permissions import Permission, can_view_call, has_permission
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus
from app.applications.web.blueprint import bp
from app.applications.web.views.common import locale
from app.calls.models import Call
from app.platform.extensions import db
from app.web.access import requires
from app.web.forms import whole_number_arg
from app.web.keyset import newest_first_page
from app.web.lookup import visible_or_404
from app.web.page_cache import kept_per_reader


@bp.get("/")
@requires(Permission.APPLY_FOR_GRANT)
def index() -> Any:
    return render_template(
        "applications/index.html",
        applications=ngo.applications_of(current_user),
        organisations=ngo.organisations_of(current_user),
        locale=locale(),
    )


@bp.get("/all", endpoint="all")
@requires(Permission.VIEW_ALL_APPLICATIONS)
@kept_per_reader
def all_applications() -> Any:
    call_id = whole_number_arg("call_id")
    raw_status = request.args.get("status", "")
    status = (
        ApplicationStatus(raw_status)
        if raw_status in {s.value for s in ApplicationStatus}
        else None
    )
    # Keyset pages on (updated_at, id): each is an index range scan whatever its depth. Only
    # the columns the list shows are loaded: decoding every JSON column of every row (and of
    # every call) cost more than the queries themselves.
    listed = ngo.filter_applications(call_id=call_id, status=status).options(
        load_only(
            Application.id,
            Application.title,
            Application.status,
            Application.currency,
            Application.requested_amount,
            Application.updated_at,
            Application.call_id,
            Application.organisation_id,
        ),
        joinedload(Application.call).load_only(Call.id, Call.reference).lazyload(Call.criteria),
    )
    page = newest_first_page(
        listed,
        moment=Application.updated_at,
        row_id=Application.id,
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "applications/all.html",
        can_bulk_screen=has_permission(current_user, Permission.SCREEN_APPLICATION),
        page=page,
        calls=db.session.execute(
            db.select(Call)
            .options(load_only(Call.id, Call.reference, Call.title), lazyload(Call.criteria))
            .order_by(Call.closes_at.desc())
        ).scalars(),
        call_id=call_id,
        status=raw_status,
        statuses=list(ApplicationStatus),
        locale=locale(),
    )


@bp.post("/start/<int:call_id>")
@requires(Permission.APPLY_FOR_GRANT)
def start(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, can_view_call)
    organisation_id = request.form.get("organisation_id", type=int)
    mine = {o.id: o for o in ngo.organisations_of(current_user)}
    organisation = mine.get(organisation_id or 0)
    if organisation is None:
        if not mine:
            flash(_("First register your organisation."), "info")
            return redirect(url_for("organisations.register"))
        abort(404)
    existing = ngo.application_for([organisation.id], call)
    if existing is not None:
        return redirect(url_for("applications.show", application_id=existing.id))
    application = ngo.start_application(actor=current_user, call=call, organisation=organisation)
    db.session.commit()
    flash(_("Your application is started. Save each section as you go."), "success")
    return redirect(url_for("applications.section", application_id=application.id, name="summary"))
