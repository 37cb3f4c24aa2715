"""The staff lists' request side, for every list the same (app/platform/listing.py holds the
rules): reading the state from the query string, the page, the header links with aria-sort,
the count, the saved views, and the CSV of exactly what is shown (made during the request, or
by a worker through the jobs' path when over EXPORT_JOB_THRESHOLD_ROWS)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from flask import Response, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import Permission
from app.jobs.kinds import BuiltFile, JobKind, Progress, register_kind
from app.jobs.services import enqueue
from app.jobs.web.wake import wake_worker
from app.lists.models import SavedView
from app.lists.services import views_of
from app.platform.errors import N_
from app.platform.extensions import db
from app.platform.listing import (
    ListPage,
    ListSpec,
    ListState,
    all_rows,
    all_specs,
    count_of,
    page_of,
    parse_state,
    spec_named,
    state_from_query_string,
)
from app.platform.settings import settings
from app.reporting.web.export import csv_lines, file_chunks, spooled


@dataclass(frozen=True)
class ListView:
    """Everything a list page's template needs about sorting, filters, count and views."""

    spec: ListSpec
    state: ListState
    page: ListPage
    count: int
    views: list[SavedView]

    @property
    def problems(self) -> list[str]:
        return [_(message, **values) for message, values in self.state.problems]

    def sort_header(self, key: str) -> Markup:
        """A column header's link: sorts by the column (again: the other way), with aria-sort on
        the <th> the caller writes through ``aria_sort``."""
        sort = self.spec.sort(key)
        assert sort is not None, key
        current = self.state.sort.key == key
        descending = (not self.state.descending) if current else sort.descending_first
        href = url_for(
            self.spec.endpoint, **self.state.args(sort=key, dir="desc" if descending else "asc")
        )
        arrow = ""
        if current:
            arrow = " ▼" if self.state.descending else " ▲"
        hint = (
            _("sorted, descending")
            if current and self.state.descending
            else (_("sorted, ascending") if current else _("sort"))
        )
        return Markup(
            '<a href="{}">{}<span aria-hidden="true">{}</span>'
            '<span class="visually-hidden"> ({})</span></a>'
        ).format(href, _(sort.label), arrow, hint)

    def aria_sort(self, key: str) -> Markup:
        if self.state.sort.key != key:
            return Markup("")
        return Markup(' aria-sort="{}"').format(
            "descending" if self.state.descending else "ascending"
        )

    @property
    def csv_url(self) -> str:
        return url_for("lists.csv", list_name=self.spec.name, **self.state.args())

    def page_url(self, **cursor: Any) -> str:
        return url_for(self.spec.endpoint, **self.state.args(), **cursor)

    @property
    def query_string(self) -> str:
        return self.state.query_string()


def list_view(spec: ListSpec, query: Any) -> ListView:
    """The page of ``spec`` the request asks for; ``query`` is the spec's filtered select for
    the state's filters with the page's load options."""
    state = current_state(spec)
    page = page_of(
        spec,
        state,
        query(state),
        per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return ListView(spec, state, page, count_of(spec, state), views_of(current_user, spec.name))


def current_state(spec: ListSpec) -> ListState:
    return parse_state(spec, request.args)


def _job_kind(spec: ListSpec) -> str:
    return f"lists.{spec.name}_csv"


def build_list_csv(
    parameters: Mapping[str, Any], target: IO[bytes], progress: Progress
) -> BuiltFile:
    """The list's rows in its sort with its filters, as CSV: the request's or the worker's."""
    spec = spec_named(str(parameters["list"]))
    assert spec is not None
    state = state_from_query_string(spec, str(parameters.get("query", "")))

    def rows() -> Any:
        for done, row in enumerate(all_rows(spec, state), start=1):
            yield spec.csv_row(row)
            progress(done)

    for chunk in csv_lines(spec.header(), rows()):
        target.write(chunk.encode())
    return BuiltFile(file_name=spec.csv_file, content_type="text/csv")


def csv_response(spec: ListSpec) -> Any:
    """The CSV of what the list shows: now, or sent to its job page when large."""
    state = current_state(spec)
    size = count_of(spec, state)
    parameters = {"list": spec.name, "query": state.query_string()}
    if size > settings().jobs.export_threshold_rows:
        job = enqueue(actor=current_user, kind=_job_kind(spec), parameters=parameters, total=size)
        db.session.commit()
        wake_worker()
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    target = spooled()
    built = build_list_csv(parameters, target, lambda _done: None)
    return Response(
        file_chunks(target),
        mimetype=built.content_type,
        headers={
            "Content-Disposition": f"attachment; filename={built.file_name}",
            "Cache-Control": "no-store",
        },
    )


def register_list_jobs() -> None:
    """At start-up (app/bootstrap.py), once every list's page is imported: each list's CSV as a
    job kind; the requester must still hold the list's permissions."""
    for spec in all_specs():
        register_kind(
            JobKind(
                name=_job_kind(spec),
                label=N_("List export"),
                build=build_list_csv,
                permissions=spec.permissions,
                overseen_with=Permission.VIEW_AUDIT_LOG,
            )
        )
