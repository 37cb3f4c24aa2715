"""The Board's pages: its overview, recording a meeting, a meeting's applications, recording
a decision with its votes, and closing the meeting's record."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_record_decision, has_permission, is_member
from app.applications.models import Application
from app.calls.models import Call, CallStatus
from app.platform.db import utcnow
from app.platform.errors import N_, DomainError, SegregationOfDuties
from app.platform.extensions import db
from app.platform.money import to_major
from app.reviews.models import BoardMeeting, DecisionOutcome, MeetingStatus, Vote
from app.reviews.queries.board import (
    awaiting_decision,
    board_members,
    board_pack_counts,
    calls_with_a_pack,
    decision_counts,
    decisions_of,
    meetings_query,
)
from app.reviews.queries.ranking import latest_recommendation
from app.reviews.queries.scores import application_score
from app.reviews.services import board as board_rules
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import DecisionForm, EmptyForm, MeetingForm
from app.reviews.web.labels import review_label
from app.reviews.web.paging import calls_page, meetings_page
from app.reviews.web.views.common import exists, page_locale
from app.web.access import requires
from app.web.display import money
from app.web.lookup import visible_or_404


@bp.get("/board")
@requires(Permission.VIEW_BOARD_PACK)
def board() -> Any:
    """The Board's overview: the calls with applications before it (latest deadline first)
    and its meetings (latest first), each a page at a time (keyset, cursors ``after`` and
    ``meetings_after``), their figures counted for the page's rows only."""
    packs = calls_page(calls_with_a_pack(), endpoint="reviews.board")
    held = meetings_page(meetings_query(), endpoint="reviews.board", prefix="meetings_")
    counts = board_pack_counts(call.id for call in packs.page.items)
    return render_template(
        "reviews/board.html",
        packs=[(c, counts.get(c.id, 0)) for c in packs.page.items],
        packs_paged=packs,
        meetings=held.page.items,
        meetings_paged=held,
        decisions=decision_counts(m.id for m in held.page.items),
        can_record=has_permission(current_user, Permission.RECORD_BOARD_DECISION),
        locale=page_locale(),
    )


def _meeting_form() -> MeetingForm:
    form = MeetingForm()
    form.members.choices = [(m.id, m.full_name) for m in board_members()]
    form.call_id.choices = [(0, _("Any call"))] + [
        (c.id, f"{c.reference} — {c.title_in(page_locale())}")
        for c in db.session.execute(
            db.select(Call).where(Call.status != CallStatus.DRAFT).order_by(Call.closes_at.desc())
        ).scalars()
    ]
    return form


@bp.route("/board/meetings/new", methods=["GET", "POST"])
@requires(Permission.RECORD_BOARD_DECISION)
def new_meeting() -> Any:
    form = _meeting_form()
    if request.method == "GET":
        form.held_on.data = utcnow().date()
        form.members.data = [m.id for m in board_members()]
    if form.validate_on_submit():
        members = [m for m in board_members() if m.id in set(form.members.data or [])]
        call = db.session.get(Call, form.call_id.data) if form.call_id.data else None
        try:
            meeting = board_rules.create_meeting(
                actor=current_user,
                held_on=form.held_on.data,
                members=members,
                call=call,
                notes=form.notes.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("The meeting is recorded. Record its decisions below."), "success")
            return redirect(url_for("reviews.meeting", meeting_id=meeting.id))
    return render_template(
        "reviews/meeting_new.html", form=form, quorum=board_rules.board_quorum()
    ), (422 if form.form_errors or form.errors else 200)


@bp.get("/board/meetings/<int:meeting_id>")
@requires(Permission.VIEW_BOARD_PACK)
def meeting(meeting_id: int) -> Any:
    meeting = visible_or_404(BoardMeeting, meeting_id, exists)
    waiting = awaiting_decision(meeting) if meeting.status == MeetingStatus.OPEN else []
    return render_template(
        "reviews/meeting.html",
        meeting=meeting,
        waiting=waiting,
        voters={a.id: board_rules.voters_for(meeting, a) for a in waiting},
        can_record=has_permission(current_user, Permission.RECORD_BOARD_DECISION),
        linked={a.id for a in waiting if is_member(current_user, a.organisation_id)},
        form=EmptyForm(),
        locale=page_locale(),
    )


def _decision_form(meeting: BoardMeeting, application: Application) -> DecisionForm:
    form = DecisionForm()
    voters = board_rules.voters_for(meeting, application).voting
    if not form.votes.entries:
        # One vote per member who may vote (rebuilt too when a POST arrives without them).
        for member in voters:
            form.votes.append_entry()
            form.votes.entries[-1].member_id.data = str(member.id)
    form.currency_code = application.currency
    if request.method == "GET":
        form.approved_amount.data = to_major(application.requested_amount, application.currency)
    return form


@bp.route("/board/meetings/<int:meeting_id>/decide/<int:application_id>", methods=["GET", "POST"])
@requires(Permission.RECORD_BOARD_DECISION)
def decide(meeting_id: int, application_id: int) -> Any:
    meeting = visible_or_404(BoardMeeting, meeting_id, exists)
    application = visible_or_404(Application, application_id, exists)
    if not can_record_decision(current_user, application):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you cannot record its decision.")
        )
    form = _decision_form(meeting, application)
    action = request.form.get("action")
    if action == "change":
        # Back from the summary: the form filled with what was entered, nothing refused yet.
        return _decide_page(meeting, application, form)
    if form.validate_on_submit():
        values = _decision_values(form)
        try:
            if action != "record":
                board_rules.check_decision(
                    actor=current_user, meeting=meeting, application=application, **values
                )
                return _decision_check_page(meeting, application, form)
            if not form.declaration.data:
                form.declaration.errors = [_("Confirm the declaration to record the decision.")]
                return _decision_check_page(meeting, application, form, 422)
            board_rules.record_decision(
                actor=current_user, meeting=meeting, application=application, **values
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            _flash_decision(application, values["outcome"], values["approved_amount"])
            return redirect(url_for("reviews.meeting", meeting_id=meeting.id))
    return _decide_page(meeting, application, form)


def _decision_values(form: DecisionForm) -> dict[str, Any]:
    """The decision the form describes, as ``check_decision`` and ``record_decision`` take it."""
    votes: dict[int, Vote] = {}
    for entry in form.votes:
        if str(entry.member_id.data).isdigit() and entry.vote.data in {v.value for v in Vote}:
            votes[int(entry.member_id.data)] = Vote(entry.vote.data)
    approving = form.outcome.data == DecisionOutcome.APPROVED
    return {
        "outcome": DecisionOutcome(form.outcome.data),
        "votes": votes,
        "rationale": form.rationale.data or "",
        "approved_amount": form.approved_amount.minor if approving else None,
        "conditions": (form.conditions.data or "") if approving else "",
    }


def _decision_check_page(
    meeting: BoardMeeting, application: Application, form: DecisionForm, status: int = 200
) -> Any:
    """The decision read back before it is recorded, the values carried in hidden fields."""
    return render_template(
        "reviews/decide_check.html",
        meeting=meeting,
        application=application,
        form=form,
        values=_decision_values(form),
        members={m.id: m for m in meeting.members},
        locale=page_locale(),
    ), status


def _flash_decision(application: Application, outcome: DecisionOutcome, amount: int | None) -> None:
    label = review_label(outcome)
    flash(
        _(
            "The decision on %(ref)s is recorded: %(outcome)s, %(amount)s.",
            ref=application.reference,
            outcome=label,
            amount=money(amount, application.currency),
        )
        if amount is not None
        else _(
            "The decision on %(ref)s is recorded: %(outcome)s.",
            ref=application.reference,
            outcome=label,
        ),
        "success",
    )


def _decide_page(meeting: BoardMeeting, application: Application, form: DecisionForm) -> Any:
    return render_template(
        "reviews/decide.html",
        meeting=meeting,
        application=application,
        call=application.call,
        form=form,
        voters=board_rules.voters_for(meeting, application),
        members={m.id: m for m in meeting.members},
        score=application_score(application),
        recommendation=latest_recommendation(application),
        previous=decisions_of(application),
        locale=page_locale(),
    ), (422 if form.form_errors or form.errors else 200)


@bp.post("/board/meetings/<int:meeting_id>/close")
@requires(Permission.RECORD_BOARD_DECISION)
def close_meeting(meeting_id: int) -> Any:
    meeting = visible_or_404(BoardMeeting, meeting_id, exists)
    board_rules.close_meeting(actor=current_user, meeting=meeting)
    db.session.commit()
    flash(_("The meeting's record is closed."), "success")
    return redirect(url_for("reviews.meeting", meeting_id=meeting.id))
