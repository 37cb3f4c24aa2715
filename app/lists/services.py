"""Saving, renaming, deleting and opening a person's views of a staff list (each audited).

A view belongs to one person: it is found by (owner, id), so another person's id is answered
"no such view", whatever their role. The query string kept is the list's own normal form
(app/platform/listing.py), so a view never holds a cursor or a filter the list refused.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.accounts.permissions import has_permission
from app.audit.services import record_event
from app.lists.models import SavedView
from app.platform.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.platform.listing import ListSpec, spec_named, state_from_query_string

MAX_NAME = 80
MAX_VIEWS_PER_LIST = 50


def _spec_for(actor: Any, list_name: str) -> ListSpec:
    spec = spec_named(list_name)
    if spec is None:
        raise NotFound(N_("There is no such list."))
    if not all(has_permission(actor, p) for p in spec.permissions):
        raise PermissionDenied(N_("You may not see this list."))
    return spec


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationFailed(N_("Give the view a name."))
    if len(cleaned) > MAX_NAME:
        raise ValidationFailed(N_("A view's name is at most 80 characters."))
    return cleaned


def views_of(actor: Any, list_name: str) -> list[SavedView]:
    return list(
        db.session.execute(
            sa.select(SavedView)
            .where(SavedView.user_id == actor.id, SavedView.list_name == list_name)
            .order_by(SavedView.name, SavedView.id)
        ).scalars()
    )


def view_of(actor: Any, view_id: int) -> SavedView:
    view = db.session.execute(
        sa.select(SavedView).where(SavedView.id == view_id, SavedView.user_id == actor.id)
    ).scalar_one_or_none()
    if view is None:
        raise NotFound(N_("There is no such view."))
    _spec_for(actor, view.list_name)
    return view


def _name_taken(actor: Any, list_name: str, name: str, *, other_than: int | None = None) -> bool:
    query = sa.select(SavedView.id).where(
        SavedView.user_id == actor.id, SavedView.list_name == list_name, SavedView.name == name
    )
    if other_than is not None:
        query = query.where(SavedView.id != other_than)
    return db.session.execute(query).first() is not None


def save_view(*, actor: Any, list_name: str, name: str, query_string: str) -> SavedView:
    """Keep the list's current sort and filters under ``name``; the caller commits."""
    spec = _spec_for(actor, list_name)
    cleaned = _clean_name(name)
    if _name_taken(actor, list_name, cleaned):
        raise ValidationFailed(N_("You already have a view of this list with that name."))
    if len(views_of(actor, list_name)) >= MAX_VIEWS_PER_LIST:
        raise ValidationFailed(N_("You have 50 views of this list: delete one first."))
    normal = state_from_query_string(spec, query_string).query_string()
    view = SavedView(user_id=actor.id, list_name=list_name, name=cleaned, query_string=normal)
    db.session.add(view)
    db.session.flush()
    record_event(
        actor=actor,
        action="saved_view.saved",
        subject=view,
        summary=f"View “{cleaned}” of the {list_name} list saved",
        changes={"list": list_name, "name": cleaned, "query": normal},
    )
    return view


def rename_view(*, actor: Any, view_id: int, name: str) -> SavedView:
    view = view_of(actor, view_id)
    cleaned = _clean_name(name)
    if _name_taken(actor, view.list_name, cleaned, other_than=view.id):
        raise ValidationFailed(N_("You already have a view of this list with that name."))
    before = view.name
    view.name = cleaned
    record_event(
        actor=actor,
        action="saved_view.renamed",
        subject=view,
        summary=f"View “{before}” renamed “{cleaned}”",
        changes={"name": [before, cleaned]},
    )
    return view


def delete_view(*, actor: Any, view_id: int) -> str:
    """Delete the view; returns the list's name (to go back to it)."""
    view = view_of(actor, view_id)
    record_event(
        actor=actor,
        action="saved_view.deleted",
        subject=view,
        summary=f"View “{view.name}” of the {view.list_name} list deleted",
        changes={"list": view.list_name, "name": view.name, "query": view.query_string},
    )
    db.session.delete(view)
    return view.list_name
