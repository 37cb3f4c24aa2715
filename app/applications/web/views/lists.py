"""The NGO's applications, the fund's list of all applications, and starting one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import lazyload, load_only

from app.accounts.permissions import Permission, can_view_call, has_permission
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus
from app.applications.web.blueprint import bp
from app.applications.web.listing import APPLICATIONS, listed_countries
from app.applications.web.views.common import locale
from app.calls.models import Call
from app.platform.extensions import db
from app.platform.keyset import Key
from app.web.access import requires
from app.web.lists import list_view
from app.web.lookup import visible_or_404
from app.web.paged import paged_list

NEWEST_CHANGE_FIRST = (
    Key(lambda: Application.updated_at, datetime, descending=True),
    Key(lambda: Application.id, int, descending=True),
)


@bp.get("/")
@requires(Permission.APPLY_FOR_GRANT)
def index() -> Any:
    """The applications of the reader's organisations, the last changed first, a page at a
    time (keyset pages: each page costs the same however many there are)."""
    return render_template(
        "applications/index.html",
        applications=paged_list(ngo.applications_of(current_user), NEWEST_CHANGE_FIRST),
        has_organisation=ngo.belongs_to_an_ngo(current_user),
        locale=locale(),
    )


@bp.get("/all", endpoint="all")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def all_applications() -> Any:
    """Every application: sorted by any column shown, filters that combine, the count, the CSV
    of what is shown and the reader's saved views (app/web/lists.py); keyset pages on (sort
    column, id), so each page is an index range scan whatever its depth."""
    lv = list_view(APPLICATIONS, lambda state: APPLICATIONS.query(state.filters))
    return render_template(
        "applications/all.html",
        can_bulk_screen=has_permission(current_user, Permission.SCREEN_APPLICATION),
        can_bulk_letters=has_permission(current_user, Permission.PREPARE_BOARD_PACK),
        lv=lv,
        page=lv.page,
        calls=db.session.execute(
            db.select(Call)
            .options(load_only(Call.id, Call.reference, Call.title), lazyload(Call.criteria))
            .order_by(Call.closes_at.desc())
        ).scalars(),
        countries=listed_countries(),
        call_id=lv.state.filters.get("call_id"),
        status=lv.state.raw_filters.get("status", ""),
        country=lv.state.filters.get("country", ""),
        q=lv.state.raw_filters.get("q", ""),
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
    if call.is_two_stage:
        flash(_("Your application is started: first write the concept note."), "success")
        return redirect(url_for("applications.concept_note", application_id=application.id))
    flash(_("Your application is started. Save each section as you go."), "success")
    return redirect(url_for("applications.section", application_id=application.id, name="summary"))
