"""Saved views of the staff lists (save, open, rename, delete: each the owner's only) and the
lists' CSV of exactly what is shown."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.accounts.permissions import Permission, has_permission
from app.lists import services as views
from app.lists.services import MAX_NAME
from app.platform.errors import DomainError, NotFound
from app.platform.extensions import db
from app.platform.listing import spec_named
from app.web.access import login_required
from app.web.lists import csv_response

bp = Blueprint("lists", __name__, template_folder="../templates", url_prefix="/lists")


class SaveViewForm(FlaskForm):
    name = StringField(_l("Name of this view"), validators=[DataRequired(), Length(max=MAX_NAME)])
    query = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="view", **kwargs)


class RenameViewForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=MAX_NAME)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="rename", **kwargs)


class DeleteViewForm(FlaskForm):
    pass


def _list_url(list_name: str, query_string: str = "", view: int | None = None) -> str:
    spec = spec_named(list_name)
    if spec is None:
        abort(404)
    parts = [part for part in (query_string, f"view={view}" if view else "") if part]
    return url_for(spec.endpoint) + ("?" + "&".join(parts) if parts else "")


def _flash_errors(form: FlaskForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


@bp.get("/<list_name>.csv")
@login_required
def csv(list_name: str) -> Any:
    """The list as CSV, with the page's filters and sort, every page (the list's own access and
    EXPORT_DATA)."""
    spec = spec_named(list_name)
    if spec is None:
        abort(404)
    needed = (*spec.permissions, Permission.EXPORT_DATA)
    if not all(has_permission(current_user, p) for p in needed):
        abort(403)
    return csv_response(spec)


@bp.post("/<list_name>/views")
@login_required
def save(list_name: str) -> Any:
    if spec_named(list_name) is None:
        abort(404)
    form = SaveViewForm()
    query = form.query.data or ""
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(_list_url(list_name, query))
    try:
        view = views.save_view(
            actor=current_user, list_name=list_name, name=form.name.data or "", query_string=query
        )
    except NotFound:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        if error.status_code == 403:
            abort(403)
        flash(error.translated(_), "danger")
        return redirect(_list_url(list_name, query))
    db.session.commit()
    flash(_("The view “%(name)s” is saved.", name=view.name), "success")
    return redirect(_list_url(list_name, view.query_string, view.id))


def _own(view_id: int) -> Any:
    try:
        return views.view_of(current_user, view_id)
    except DomainError:
        abort(404)


@bp.get("/views/<int:view_id>")
@login_required
def open_view(view_id: int) -> Any:
    view = _own(view_id)
    return redirect(_list_url(view.list_name, view.query_string, view.id))


@bp.post("/views/<int:view_id>/rename")
@login_required
def rename(view_id: int) -> Any:
    view = _own(view_id)
    form = RenameViewForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(_list_url(view.list_name, view.query_string))
    try:
        views.rename_view(actor=current_user, view_id=view.id, name=form.name.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        db.session.commit()
        flash(_("The view is renamed “%(name)s”.", name=view.name), "success")
    return redirect(_list_url(view.list_name, view.query_string, view.id))


@bp.post("/views/<int:view_id>/delete")
@login_required
def delete(view_id: int) -> Any:
    view = _own(view_id)
    if not DeleteViewForm().validate_on_submit():
        flash(_("The form had expired; try again."), "danger")
        return redirect(_list_url(view.list_name, view.query_string))
    name, list_name = view.name, view.list_name
    views.delete_view(actor=current_user, view_id=view.id)
    db.session.commit()
    flash(_("The view “%(name)s” is deleted.", name=name), "success")
    return redirect(_list_url(list_name))


@bp.app_context_processor
def _forms() -> dict[str, Any]:
    return {
        "save_view_form": SaveViewForm,
        "rename_view_form": RenameViewForm,
        "delete_view_form": DeleteViewForm,
    }
