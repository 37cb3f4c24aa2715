"""Calls for proposals: the public list and page, and the fund manager's editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services as accounts
from app.accounts.permissions import Permission, can_view_call, has_permission
from app.applications.models import Application
from app.applications.services import application_for, organisations_of
from app.calls import services as calls
from app.calls.models import Call, CallStatus
from app.calls.web.forms import CallForm
from app.calls.web.listing import CALLS, application_counts
from app.calls.workflow import CALL_WORKFLOW, publishable_problems
from app.platform.categories import DocumentKind, FormOfExploitation, Situation, Theme
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import public, requires
from app.web.lists import list_view
from app.web.lookup import visible_or_404

bp = Blueprint("calls", __name__, template_folder="../templates", url_prefix="/calls")

VOCABULARIES = {
    "Situation": Situation,
    "Theme": Theme,
    "FormOfExploitation": FormOfExploitation,
    "DocumentKind": DocumentKind,
}


def _locale() -> str:
    return str(get_locale() or "en")


def _applications_by_call(call_list: list[Call]) -> dict[int, Application]:
    """For an applicant: their organisation's current application to each call."""
    if not has_permission(current_user, Permission.APPLY_FOR_GRANT):
        return {}
    ids = accounts.organisation_ids_of(current_user)
    found = {}
    for call in call_list:
        application = application_for(ids, call)
        if application is not None:
            found[call.id] = application
    return found


@bp.get("/")
@public
def index() -> Any:
    show_closed = request.args.get("show") == "all"
    call_list = calls.public_calls(include_closed=show_closed)
    return render_template(
        "calls/index.html",
        calls=call_list,
        now=utcnow(),
        locale=_locale(),
        show_closed=show_closed,
        applications=_applications_by_call(call_list),
    )


@bp.get("/<int:call_id>")
@public
def show(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, can_view_call)
    now = utcnow()
    can_apply = has_permission(
        current_user, Permission.APPLY_FOR_GRANT
    ) and call.accepts_new_applications_at(now)
    return render_template(
        "calls/show.html",
        call=call,
        now=now,
        locale=_locale(),
        can_apply=can_apply,
        organisations=organisations_of(current_user) if can_apply else [],
        application=_applications_by_call([call]).get(call.id),
        can_manage=has_permission(current_user, Permission.MANAGE_CALLS),
        # Offered before the call is ready (publishable, every application decided): the
        # refusal says what is missing.
        moves=CALL_WORKFLOW.available_moves(call, current_user, unready=True),
        vocab=VOCABULARIES,
    )


@bp.get("/manage")
@requires(Permission.MANAGE_CALLS)
def manage() -> Any:
    """Every call as a staff list: sorted by deadline (latest first) or another column shown,
    the status tabs and words filter, count, CSV and saved views (app/web/lists.py); keyset
    pages, the applications counted for the page's calls only."""
    lv = list_view(CALLS, lambda state: CALLS.query(state.filters))
    return render_template(
        "calls/manage.html",
        lv=lv,
        page=lv.page,
        counts=application_counts(call.id for call in lv.page.items),
        status=lv.state.raw_filters.get("status", ""),
        q=lv.state.raw_filters.get("q", ""),
        statuses=list(CallStatus),
        now=utcnow(),
        locale=_locale(),
    )


def _save_form(form: CallForm, call: Call | None) -> Any:
    try:
        details = form.details()
        if call is None:
            call = calls.create_call(actor=current_user, details=details)
        else:
            calls.update_call(actor=current_user, call=call, details=details)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.translated(_))
        return None
    db.session.commit()
    flash(_("Call %(ref)s saved.", ref=call.reference), "success")
    return redirect(url_for("calls.show", call_id=call.id))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_CALLS)
def new() -> Any:
    form = CallForm()
    if request.method == "GET":
        form.currency.data = current_app.config["FUNCTIONAL_CURRENCY"]
        form.languages.data = ["en", "fr", "es"]
        for kind, count in calls.default_required_documents().items():
            form[f"documents_{kind}"].data = count
    if form.validate_on_submit():
        response = _save_form(form, None)
        if response is not None:
            return response
    return render_template("calls/edit.html", form=form, call=None)


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_CALLS)
def edit(call_id: int) -> Any:
    call = db.get_or_404(Call, call_id)
    if not call.is_editable:
        flash(_("A closed call cannot be edited."), "warning")
        return redirect(url_for("calls.show", call_id=call.id))
    form = CallForm()
    if request.method == "GET":
        form.fill_from(call)
    if form.validate_on_submit():
        response = _save_form(form, call)
        if response is not None:
            return response
    return render_template(
        "calls/edit.html", form=form, call=call, problems=publishable_problems(call)
    )


def _step(call_id: int, make: Callable[..., object], said: str) -> Any:
    """One step of a call's life: the service ``make`` moves it, the call's page says ``said``."""
    call = db.get_or_404(Call, call_id)
    try:
        make(actor=current_user, call=call)
    except DomainError as error:
        # Said on the call's page, or on its editor while a draft (where it can be put right).
        db.session.rollback()
        flash(error.translated(_), "danger")
        call = db.get_or_404(Call, call_id)
        if call.status == CallStatus.DRAFT:
            return redirect(url_for("calls.edit", call_id=call.id))
        return redirect(url_for("calls.show", call_id=call.id))
    db.session.commit()
    flash(said, "success")
    return redirect(url_for("calls.show", call_id=call.id))


@bp.post("/<int:call_id>/publish")
@requires(Permission.MANAGE_CALLS)
def publish(call_id: int) -> Any:
    return _step(
        call_id, calls.publish_call, _("The call is published: applicants can see it now.")
    )


@bp.post("/<int:call_id>/close")
@requires(Permission.MANAGE_CALLS)
def close(call_id: int) -> Any:
    return _step(call_id, calls.close_call, _("The call is closed."))


@bp.post("/<int:call_id>/decide")
@requires(Permission.MANAGE_CALLS)
def decide(call_id: int) -> Any:
    return _step(call_id, calls.decide_call, _("The call is marked as decided."))
