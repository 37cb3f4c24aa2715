"""The fund's selection overview: every call with its applications by status, and one call's
applications to screen, in review and past review."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user

from app.accounts.permissions import Permission, has_permission
from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call, CallStatus
from app.calls.web.listing import calls_query
from app.platform.extensions import db
from app.reviews.queries.assignments import assignments_of, reviewers_wanted
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import EmptyForm
from app.reviews.web.paging import calls_page
from app.reviews.web.views.common import due_form, exists, page_locale
from app.web.access import requires
from app.web.lookup import visible_or_404

S = ApplicationStatus


# The fund's selection work per call: what each stage's list shows.
SCREENING_QUEUE = (S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED)


@bp.get("/")
@requires(Permission.SCREEN_APPLICATION)
def index() -> Any:
    """The calls past their draft, latest deadline first, a page at a time (keyset), with
    their applications counted by status for the page's calls only."""
    paged = calls_page(
        calls_query().where(Call.status != CallStatus.DRAFT), endpoint="reviews.index"
    )
    counts: dict[int, dict[str, int]] = {}
    call_ids = [call.id for call in paged.page.items]
    if call_ids:
        for call_id, status, count in db.session.execute(
            db.select(Application.call_id, Application.status, db.func.count())
            .where(Application.call_id.in_(call_ids))
            .group_by(Application.call_id, Application.status)
        ):
            counts.setdefault(call_id, {})[str(status)] = count
    return render_template(
        "reviews/index.html",
        calls=paged.page.items,
        paged=paged,
        counts=counts,
        locale=page_locale(),
        statuses=list(S),
    )


@bp.get("/calls/<int:call_id>")
@requires(Permission.SCREEN_APPLICATION)
def call(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, exists)
    applications = list(
        db.session.execute(
            db.select(Application)
            .where(Application.call_id == call.id, Application.status != S.DRAFT)
            .order_by(Application.submitted_at, Application.id)
        ).scalars()
    )
    to_screen = [a for a in applications if a.status in SCREENING_QUEUE]
    in_review = [a for a in applications if a.status == S.IN_REVIEW]
    assignments = {a.id: assignments_of(a) for a in in_review}
    return render_template(
        "reviews/call.html",
        call=call,
        to_screen=to_screen,
        in_review=in_review,
        assignments=assignments,
        others=[a for a in applications if a not in to_screen and a not in in_review],
        wanted=reviewers_wanted(),
        locale=page_locale(),
        form=EmptyForm(),
        assign_form=due_form(),
        can_assign_all=has_permission(current_user, Permission.ASSIGN_REVIEWERS),
    )
