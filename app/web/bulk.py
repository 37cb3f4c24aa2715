"""Bulk actions: the same service on many records, with a preview and one confirmation.

A list page posts the ids ticked (checkboxes named ``ids``, "select all on this page" by
js/bulk.js) to an action's route; the route hands its ``BulkAction`` to ``bulk_page``, which
answers in three steps, all POSTs:

1. **choose**: the records selected and the action's own form (an outcome, a reason, a
   message), with a Preview button;
2. **preview**: each record with what will happen to it, or why it will be refused, found by
   running the very service on each in a savepoint that is rolled back (a dry run: the whole
   transaction is rolled back at the end, so the preview writes nothing, not even an e-mail);
3. **confirm** (``bulk_confirm``): each record done through the same service in its own
   savepoint, audited by that service as when done alone; a record refused (a ``DomainError``)
   rolls back its savepoint and its e-mails only, never blocking the others; one commit; the
   result lists what was done and what was refused, with the reason.

No rule is written twice: what is refused and why is the service's answer, in the preview and
at the confirmation alike (the state may change between the two; the confirmation checks again).
Ids that do not exist or that the reader may not see are refused as "not found", saying nothing
of which; junk ids, an empty selection or too many are answered with a sentence, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.platform.errors import DomainError
from app.platform.extensions import db

T = TypeVar("T")

IDS = "ids"
# One confirmation may carry at most this many records (a page of a list is 50).
MAX_ITEMS = 200
# Ids are database integers: a bigger number is junk, not a look-up.
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class BulkAction(Generic[T]):
    """One bulk action: how its records are loaded, named and linked, the form of its choices,
    and the one service call that acts on a record (raising ``DomainError`` to refuse it)."""

    title: str  # the page's heading, translated when shown
    choose_endpoint: str  # the route that shows choose and preview (bulk_page)
    confirm_endpoint: str  # the route that does it (bulk_confirm)
    back: Callable[[], str]  # the list's address
    form: Callable[[], FlaskForm]
    load: Callable[[Sequence[int]], Mapping[int, T]]  # the records the reader may see, by id
    label: Callable[[T], str]
    link: Callable[[T], str]
    do: Callable[[T, Any], None]  # (record, validated form): the service call
    will: Callable[[Any], str]  # (form) what will be done to each record, in a sentence


@dataclass(frozen=True)
class ItemOutcome:
    id: int
    label: str
    link: str | None
    done: bool
    why: str = ""  # the refusal, in the reader's language


def selected_ids() -> tuple[list[int], list[str]]:
    """The ids posted, in order, without repeats; and the sentences about what was set aside."""
    problems: list[str] = []
    ids: list[int] = []
    junk = False
    for raw in request.form.getlist(IDS):
        text = raw.strip()
        if not text.isdigit() or not 0 < int(text) <= _MAX_ID:
            junk = True
            continue
        if int(text) not in ids:
            ids.append(int(text))
    if junk:
        problems.append(_("Some of the selection was not understood and was left out."))
    if len(ids) > MAX_ITEMS:
        problems.append(
            _("Select at most %(max)s at once; the first %(max)s are kept.", max=MAX_ITEMS)
        )
        ids = ids[:MAX_ITEMS]
    return ids, problems


def _not_found(ident: int) -> ItemOutcome:
    return ItemOutcome(
        ident,
        _("No. %(id)s", id=ident),
        None,
        False,
        _("Not found: it does not exist or you may not see it."),
    )


def run_each(action: BulkAction[T], ids: Sequence[int], form: Any, *, keep: bool) -> list[Any]:
    """Each record through the service in its own savepoint; kept (``keep``) or rolled back
    (the dry run). A refusal rolls back that record's savepoint and its queued e-mails."""
    records = action.load(ids)
    outcomes: list[ItemOutcome] = []
    for ident in ids:
        record = records.get(ident)
        if record is None:
            outcomes.append(_not_found(ident))
            continue
        label, link = action.label(record), action.link(record)
        savepoint = db.session.begin_nested()
        try:
            action.do(record, form)
            db.session.flush()
        except DomainError as error:
            savepoint.rollback()  # and the e-mails it queued (app/notifications/web/mail.py)
            outcomes.append(ItemOutcome(ident, label, link, False, error.translated(_)))
            continue
        if keep:
            savepoint.commit()
        else:
            savepoint.rollback()
        outcomes.append(ItemOutcome(ident, label, link, True))
    return outcomes


def bulk_page(action: BulkAction[T]) -> Any:
    """Steps 1 and 2: the selection with the action's form; with ``preview`` pressed and the
    form valid, the dry run. Writes nothing."""
    ids, problems = selected_ids()
    form = action.form()
    previewing = "preview" in request.form
    if ids and previewing and form.validate_on_submit():
        outcomes = run_each(action, ids, form, keep=False)
        db.session.rollback()
        return _render("bulk/preview.html", action, form, ids, problems, outcomes)
    return _choose(action, form, ids, problems, refused=previewing)


def bulk_confirm(action: BulkAction[T]) -> Any:
    """Step 3: each record done or refused on its own; one commit; the result page."""
    ids, problems = selected_ids()
    form = action.form()
    if not ids or not form.validate_on_submit():
        return _choose(action, form, ids, problems, refused=True)
    outcomes = run_each(action, ids, form, keep=True)
    db.session.commit()
    return _render("bulk/result.html", action, form, ids, problems, outcomes)


def _choose(
    action: BulkAction[T], form: FlaskForm, ids: list[int], problems: list[str], *, refused: bool
) -> Any:
    """The selection and the form again (422 when what was sent is refused: nothing selected,
    or the form's errors, shown at the top and by each field)."""
    if not ids:
        problems.append(_("Nothing is selected: tick at least one in the list, then try again."))
        return _render("bulk/choose.html", action, form, ids, problems, [], status=422)
    records = action.load(ids)
    chosen = [
        ItemOutcome(i, action.label(records[i]), action.link(records[i]), True)
        if i in records
        else _not_found(i)
        for i in ids
    ]
    status = 422 if refused else 200
    return _render("bulk/choose.html", action, form, ids, problems, chosen, status=status)


def _render(
    template: str,
    action: BulkAction[Any],
    form: FlaskForm,
    ids: list[int],
    problems: list[str],
    outcomes: list[ItemOutcome],
    *,
    status: int = 200,
) -> Any:
    return render_template(
        template,
        action=action,
        form=form,
        ids=ids,
        problems=problems,
        items=outcomes,
        done=[o for o in outcomes if o.done],
        refused=[o for o in outcomes if not o.done],
        will="" if template == "bulk/choose.html" else action.will(form),
        back=action.back(),
    ), status
