"""Selection pages: the fund's screening, assignment, ranking and Board pack; the reviewer's
declaration and review; the Board's meetings and decisions; the applicant's decision letter.

Every object-level rule is the domain's: routes load, check with the permission predicates
(a record the visitor may not see answers 404), call one service, commit once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.accounts.permissions import (
    Permission,
    can_assign_reviewers,
    can_record_decision,
    can_view_application,
    can_view_decision_letter,
    has_permission,
    is_member,
)
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus, RiskRating
from app.applications.web.labels import VOCABULARIES
from app.calls.models import Call, CallStatus
from app.grants.services import grant_for_application
from app.platform.categories import AgeGroup, Sex
from app.platform.db import utcnow
from app.platform.errors import N_, DomainError, SegregationOfDuties
from app.platform.extensions import db
from app.platform.money import to_major
from app.reviews import queries
from app.reviews import services as selection
from app.reviews.models import (
    AssignmentStatus,
    BoardMeeting,
    DecisionOutcome,
    MeetingStatus,
    PanelOutcome,
    Recommendation,
    ReviewAssignment,
    ScreeningOutcome,
    Vote,
)
from app.reviews.services import ScoreInput
from app.reviews.web.forms import (
    AssignForm,
    DecisionForm,
    DeclarationForm,
    DueDateForm,
    EmptyForm,
    MeetingForm,
    RecommendForm,
    RemoveForm,
    ReviewForm,
    ScreeningForm,
)
from app.reviews.web.labels import review_label
from app.web.access import login_required, requires
from app.web.display import money
from app.web.lookup import visible_or_404

bp = Blueprint("reviews", __name__, template_folder="../templates", url_prefix="/reviews")
bp.add_app_template_global(review_label, "review_label")

S = ApplicationStatus
# The fund's selection work per call: what each stage's list shows.
SCREENING_QUEUE = (S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED)


def _locale() -> str:
    return str(get_locale() or "en")


def _exists(_user: Any, _record: Any) -> bool:
    return True


def _not_linked(application: Application) -> None:
    """Fund-side pages about an applicant one belongs to are refused, not merely hidden."""
    if is_member(current_user, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )


def _application_context(application: Application) -> dict[str, Any]:
    """What applications/_read_only.html needs."""
    return {
        "application": application,
        "call": application.call,
        "locale": _locale(),
        "vocab": VOCABULARIES,
        "Sex": Sex,
        "AgeGroup": AgeGroup,
        "budget_by_category": ngo.budget_by_category(application),
        "organisation_documents": ngo.organisation_documents(application.organisation),
    }


def _flash_error(error: DomainError) -> None:
    db.session.rollback()
    flash(error.translated(_), "danger")


# --- the fund: selection overview and screening ----------------------------------------------


@bp.get("/")
@requires(Permission.SCREEN_APPLICATION)
def index() -> Any:
    calls = list(
        db.session.execute(
            db.select(Call)
            .where(Call.status != CallStatus.DRAFT)
            .order_by(Call.closes_at.desc(), Call.id.desc())
        ).scalars()
    )
    counts: dict[int, dict[str, int]] = {}
    for call_id, status, count in db.session.execute(
        db.select(Application.call_id, Application.status, db.func.count()).group_by(
            Application.call_id, Application.status
        )
    ):
        counts.setdefault(call_id, {})[str(status)] = count
    return render_template(
        "reviews/index.html", calls=calls, counts=counts, locale=_locale(), statuses=list(S)
    )


@bp.get("/calls/<int:call_id>")
@requires(Permission.SCREEN_APPLICATION)
def call(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, _exists)
    applications = list(
        db.session.execute(
            db.select(Application)
            .where(Application.call_id == call.id, Application.status != S.DRAFT)
            .order_by(Application.submitted_at, Application.id)
        ).scalars()
    )
    to_screen = [a for a in applications if a.status in SCREENING_QUEUE]
    in_review = [a for a in applications if a.status == S.IN_REVIEW]
    assignments = {a.id: queries.assignments_of(a) for a in in_review}
    return render_template(
        "reviews/call.html",
        call=call,
        to_screen=to_screen,
        in_review=in_review,
        assignments=assignments,
        others=[a for a in applications if a not in to_screen and a not in in_review],
        wanted=queries.reviewers_wanted(),
        locale=_locale(),
        form=EmptyForm(),
        assign_form=_due_form(),
        can_assign_all=has_permission(current_user, Permission.ASSIGN_REVIEWERS),
    )


@bp.route("/applications/<int:application_id>/screen", methods=["GET", "POST"])
@requires(Permission.SCREEN_APPLICATION)
def screen(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, _exists)
    _not_linked(application)
    form = ScreeningForm()
    if form.validate_on_submit():
        try:
            selection.record_screening(
                actor=current_user,
                application=application,
                outcome=ScreeningOutcome(form.outcome.data),
                confirmed=form.confirmed.data or [],
                reason=form.reason.data or "",
                question=form.question.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            messages = {
                ScreeningOutcome.ELIGIBLE: _("Eligible: the application is now in review."),
                ScreeningOutcome.INELIGIBLE: _("Screened out; the organisation sees the reason."),
                ScreeningOutcome.INFO_REQUESTED: _("The question is sent to the organisation."),
            }
            flash(messages[ScreeningOutcome(form.outcome.data)], "success")
            if form.outcome.data == ScreeningOutcome.ELIGIBLE and can_assign_reviewers(
                current_user, application
            ):
                return redirect(url_for("reviews.assign", application_id=application.id))
            return redirect(url_for("reviews.call", call_id=application.call_id))
    return render_template(
        "reviews/screen.html",
        **_application_context(application),
        form=form,
        checklist=queries.screening_checklist(application),
        screenings=queries.screenings_of(application),
        can_screen=selection.can_screen(current_user, application),
        start_form=EmptyForm(),
        RiskRating=RiskRating,
    ), (200 if not form.errors and not form.form_errors else 422)


@bp.post("/applications/<int:application_id>/start-screening")
@requires(Permission.SCREEN_APPLICATION)
def start_screening(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, _exists)
    selection.start_screening(actor=current_user, application=application)
    db.session.commit()
    flash(_("You are screening %(ref)s.", ref=application.reference), "info")
    return redirect(url_for("reviews.screen", application_id=application.id))


# --- the fund: reviewer assignment ----------------------------------------------------------


def _due_form() -> AssignForm:
    form = AssignForm()
    if not form.due_on.data:
        form.due_on.data = queries.default_due_date(utcnow().date())
    return form


@bp.get("/applications/<int:application_id>/assign")
@requires(Permission.ASSIGN_REVIEWERS)
def assign(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, _exists)
    _not_linked(application)
    candidates = queries.reviewer_candidates(application)
    form = _due_form()
    form.reviewer_id.choices = [
        (
            c.reviewer.id,
            f"{c.reviewer.full_name} — "
            + ngettext("%(num)d open review", "%(num)d open reviews", c.load),
        )
        for c in candidates
        if c.excluded_because is None
    ]
    reassign_form = _due_form()
    reassign_form.reviewer_id.choices = form.reviewer_id.choices
    assignments = queries.assignments_of(application)
    return render_template(
        "reviews/assign.html",
        application=application,
        call=application.call,
        assignments=assignments,
        # Reviewers still on the application: a recusal already made up for needs no one else.
        open_count=sum(1 for a in assignments if a.status in queries.OPEN_ASSIGNMENT),
        candidates=candidates,
        suggested=queries.suggest_reviewers(application),
        wanted=queries.reviewers_wanted(),
        form=form,
        reassign_form=reassign_form,
        due_form=DueDateForm(),
        remove_form=RemoveForm(),
        action_form=EmptyForm(),
        can_assign=selection.can_assign(current_user, application),
        # Changing or taking back a review: offered while the reviewer may still be removed.
        removable={a.id for a in assignments if selection.can_remove_reviewer(current_user, a)},
        today=utcnow().date(),
        locale=_locale(),
    )


def _chosen_reviewer(application: Application) -> tuple[User, date] | None:
    """The reviewer (one of the application's candidates) and due date the assignment form
    chose; None, with the reason flashed, when the form is not valid."""
    form = AssignForm()
    form.reviewer_id.choices = [
        (c.reviewer.id, "") for c in queries.reviewer_candidates(application)
    ]
    if not form.validate_on_submit():
        flash(_("Choose a reviewer and a valid due date."), "danger")
        return None
    reviewer = db.session.get(User, form.reviewer_id.data)
    if reviewer is None:
        abort(404)
    return reviewer, form.due_on.data


@bp.post("/applications/<int:application_id>/assign")
@requires(Permission.ASSIGN_REVIEWERS)
def add_reviewer(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, _exists)
    target = redirect(url_for("reviews.assign", application_id=application.id))
    chosen = _chosen_reviewer(application)
    if chosen is None:
        return target
    reviewer, due_on = chosen
    try:
        selection.assign_reviewer(
            actor=current_user, application=application, reviewer=reviewer, due_on=due_on
        )
    except DomainError as error:
        _flash_error(error)
        return target
    db.session.commit()
    flash(_("%(name)s is asked to review.", name=reviewer.full_name), "success")
    return target


@bp.post("/applications/<int:application_id>/assign-suggested")
@requires(Permission.ASSIGN_REVIEWERS)
def assign_suggested(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, _exists)
    form = _due_form()
    made = selection.assign_suggested(
        actor=current_user, application=application, due_on=form.due_on.data
    )
    db.session.commit()
    flash(_("%(count)d reviewer(s) assigned.", count=len(made)), "success" if made else "info")
    return redirect(url_for("reviews.assign", application_id=application.id))


@bp.post("/calls/<int:call_id>/assign-suggested")
@requires(Permission.ASSIGN_REVIEWERS)
def assign_suggested_for_call(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, _exists)
    form = _due_form()
    made = selection.assign_suggested_for_call(
        actor=current_user, call=call, due_on=form.due_on.data
    )
    db.session.commit()
    flash(_("%(count)d reviewer(s) assigned.", count=len(made)), "success" if made else "info")
    return redirect(url_for("reviews.call", call_id=call.id))


def _assignment_for_fund(assignment_id: int) -> ReviewAssignment:
    assignment = visible_or_404(ReviewAssignment, assignment_id, _exists)
    _not_linked(assignment.application)
    return assignment


@bp.post("/assignments/<int:assignment_id>/remove")
@requires(Permission.ASSIGN_REVIEWERS)
def remove(assignment_id: int) -> Any:
    assignment = _assignment_for_fund(assignment_id)
    form = RemoveForm()
    selection.remove_reviewer(
        actor=current_user, assignment=assignment, reason=form.reason.data or ""
    )
    db.session.commit()
    flash(_("%(name)s is no longer a reviewer.", name=assignment.reviewer.full_name), "success")
    return redirect(url_for("reviews.assign", application_id=assignment.application_id))


@bp.post("/assignments/<int:assignment_id>/reassign")
@requires(Permission.ASSIGN_REVIEWERS)
def reassign(assignment_id: int) -> Any:
    assignment = _assignment_for_fund(assignment_id)
    target = redirect(url_for("reviews.assign", application_id=assignment.application_id))
    chosen = _chosen_reviewer(assignment.application)
    if chosen is None:
        return target
    reviewer, due_on = chosen
    try:
        selection.reassign_review(
            actor=current_user, assignment=assignment, reviewer=reviewer, due_on=due_on
        )
    except DomainError as error:
        _flash_error(error)
        return target
    db.session.commit()
    flash(_("The review is now asked of %(name)s.", name=reviewer.full_name), "success")
    return target


@bp.post("/assignments/<int:assignment_id>/due-date")
@requires(Permission.ASSIGN_REVIEWERS)
def due_date(assignment_id: int) -> Any:
    assignment = _assignment_for_fund(assignment_id)
    form = DueDateForm()
    target = redirect(url_for("reviews.assign", application_id=assignment.application_id))
    if not form.validate_on_submit():
        flash(_("Give a valid date."), "danger")
        return target
    try:
        selection.set_due_date(actor=current_user, assignment=assignment, due_on=form.due_on.data)
    except DomainError as error:
        _flash_error(error)
        return target
    db.session.commit()
    flash(_("The due date is changed."), "success")
    return target


# --- the reviewer ----------------------------------------------------------------------------


@bp.get("/mine")
@requires(Permission.REVIEW_APPLICATION)
def mine() -> Any:
    assignments = queries.assignments_for_reviewer(current_user)
    return render_template(
        "reviews/mine.html",
        assignments=assignments,
        open_ids={a.id for a in assignments if queries.is_open(a)},
        today=utcnow().date(),
        locale=_locale(),
    )


def _own_assignment(assignment_id: int) -> ReviewAssignment:
    """The reviewer's own assignment; anyone else's answers 404 (guessing ids reveals nothing)."""
    return visible_or_404(
        ReviewAssignment,
        assignment_id,
        lambda user, a: a.reviewer_id == user.id and a.status != AssignmentStatus.REMOVED,
    )


def _review_form(assignment: ReviewAssignment, form: ReviewForm | None = None) -> ReviewForm:
    """The rubric form: one entry per criterion of the call, filled from the draft."""
    criteria = list(assignment.application.call.criteria)
    if form is None:
        form = ReviewForm()
        review = assignment.review
        while len(form.scores) < len(criteria):
            form.scores.append_entry()
        for entry, criterion in zip(form.scores, criteria, strict=False):
            entry.criterion_id.data = str(criterion.id)
            saved = review.score_for(criterion.id) if review else None
            entry.score.data = "" if saved is None or saved.score is None else str(saved.score)
            entry.justification.data = saved.justification if saved else ""
        if review is not None:
            form.recommendation.data = (
                review.recommendation.value if review.recommendation else None
            )
            form.comments.data = review.comments
    return form


def _scores_from(form: ReviewForm) -> dict[int, ScoreInput]:
    scores: dict[int, ScoreInput] = {}
    for entry in form.scores:
        try:
            criterion_id = int(entry.criterion_id.data)
        except (TypeError, ValueError):
            continue
        raw = entry.score.data
        score = int(raw) if raw not in (None, "") and str(raw).isdigit() else None
        scores[criterion_id] = ScoreInput(score, entry.justification.data or "")
    return scores


@bp.get("/assignments/<int:assignment_id>")
@requires(Permission.REVIEW_APPLICATION)
def assignment(assignment_id: int) -> Any:
    assignment = _own_assignment(assignment_id)
    return _render_assignment(assignment)


def _render_assignment(
    assignment: ReviewAssignment,
    *,
    review_form: ReviewForm | None = None,
    declaration_form: DeclarationForm | None = None,
    status: int = 200,
) -> Any:
    application = assignment.application
    context: dict[str, Any] = {
        "assignment": assignment,
        "application": application,
        "call": application.call,
        "locale": _locale(),
        "today": utcnow().date(),
    }
    if assignment.status == AssignmentStatus.AWAITING_DECLARATION:
        # Before the declaration: the title and the organisation, nothing more.
        return render_template(
            "reviews/declare.html", **context, form=declaration_form or DeclarationForm()
        ), status
    if assignment.status != AssignmentStatus.ACTIVE:
        return render_template("reviews/recused.html", **context), status
    review = assignment.review
    return render_template(
        "reviews/review.html",
        **{**_application_context(application), **context},
        review=review,
        form=_review_form(assignment, review_form),
        criteria=list(application.call.criteria),
        editable=application.status == S.IN_REVIEW and not (review and review.is_submitted),
        others=queries.visible_reviews(application, current_user),
        own_score=queries.review_weighted_score(review, list(application.call.criteria))
        if review
        else None,
        to_decimal=queries.to_decimal,
    ), status


@bp.post("/assignments/<int:assignment_id>/declare")
@requires(Permission.REVIEW_APPLICATION)
def declare(assignment_id: int) -> Any:
    assignment = _own_assignment(assignment_id)
    form = DeclarationForm()
    if not form.validate_on_submit():
        return _render_assignment(assignment, declaration_form=form, status=422)
    try:
        selection.declare_interest(
            actor=current_user,
            assignment=assignment,
            has_conflict=form.has_conflict.data == "yes",
            description=form.description.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.translated(_))
        return _render_assignment(assignment, declaration_form=form, status=error.status_code)
    db.session.commit()
    if assignment.status == AssignmentStatus.RECUSED:
        flash(_("Thank you. You are recused from this application."), "info")
        return redirect(url_for("reviews.mine"))
    flash(_("Thank you. The application is open to you below."), "success")
    return redirect(url_for("reviews.assignment", assignment_id=assignment.id))


@bp.post("/assignments/<int:assignment_id>/review")
@requires(Permission.REVIEW_APPLICATION)
def save_review(assignment_id: int) -> Any:
    assignment = _own_assignment(assignment_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_assignment(assignment, review_form=form, status=422)
    submitting = request.form.get("action") == "submit"
    service = selection.submit_review if submitting else selection.save_review
    recommendation = form.recommendation.data
    try:
        service(
            actor=current_user,
            assignment=assignment,
            scores=_scores_from(form),
            recommendation=Recommendation(recommendation)
            if recommendation in {r.value for r in Recommendation}
            else None,
            comments=form.comments.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.translated(_))
        return _render_assignment(assignment, review_form=form, status=error.status_code)
    db.session.commit()
    if submitting:
        flash(_("Your review is submitted. Thank you."), "success")
    else:
        flash(_("Your draft is saved."), "success")
    return redirect(url_for("reviews.assignment", assignment_id=assignment.id))


# --- the fund: reviews, ranking, recommendation, Board pack ----------------------------------


@bp.get("/applications/<int:application_id>/reviews")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def application_reviews(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    _not_linked(application)
    return render_template(
        "reviews/application_reviews.html",
        application=application,
        call=application.call,
        reviews=queries.visible_reviews(application, current_user) or [],
        assignments=queries.assignments_of(application),
        score=queries.application_score(application),
        criteria=list(application.call.criteria),
        screenings=queries.screenings_of(application),
        recommendation=queries.latest_recommendation(application),
        decisions=queries.decisions_of(application),
        # The grant that carries out the approval: where the decision's money can be followed.
        grant=grant_for_application(application),
        can_recommend=selection.can_prepare_recommendation(current_user, application),
        locale=_locale(),
    )


@bp.get("/calls/<int:call_id>/ranking")
@requires(Permission.PREPARE_BOARD_PACK)
def ranking(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, _exists)
    return render_template(
        "reviews/ranking.html",
        call=call,
        ranking=queries.call_ranking(call),
        threshold=Decimal(str(current_app.config["REVIEW_DISAGREEMENT_SPREAD"])),
        form=EmptyForm(),
        locale=_locale(),
    )


@bp.route("/applications/<int:application_id>/recommend", methods=["GET", "POST"])
@requires(Permission.PREPARE_BOARD_PACK)
def recommend(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, _exists)
    _not_linked(application)
    form = RecommendForm()
    if request.method == "GET":
        previous = queries.latest_recommendation(application)
        if previous is not None:
            form.key_risks.data = previous.key_risks
            form.feedback.data = previous.feedback
    if form.validate_on_submit():
        try:
            selection.recommend(
                actor=current_user,
                application=application,
                outcome=PanelOutcome(form.outcome.data),
                key_risks=form.key_risks.data or "",
                feedback=form.feedback.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("The recommendation is recorded."), "success")
            return redirect(url_for("reviews.ranking", call_id=application.call_id))
    return render_template(
        "reviews/recommend.html",
        application=application,
        call=application.call,
        form=form,
        score=queries.application_score(application),
        profile=ngo.profile_of(application.organisation),
        locale=_locale(),
    ), (422 if form.form_errors or form.errors else 200)


@bp.post("/calls/<int:call_id>/send-pack")
@requires(Permission.PREPARE_BOARD_PACK)
def send_pack(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, _exists)
    try:
        count = selection.send_board_pack(actor=current_user, call=call)
    except DomainError as error:
        _flash_error(error)
        return redirect(url_for("reviews.ranking", call_id=call.id))
    db.session.commit()
    flash(_("The Board pack is sent to %(count)d member(s).", count=count), "success")
    return redirect(url_for("reviews.ranking", call_id=call.id))


@bp.get("/calls/<int:call_id>/board-pack")
@requires(Permission.VIEW_BOARD_PACK)
def board_pack(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, _exists)
    rows = queries.board_pack_rows(call)
    ranking_ = queries.call_ranking(call)
    return render_template(
        "reviews/board_pack.html",
        call=call,
        rows=rows,
        ranking=ranking_,
        recused={
            r.application.id for r in rows if is_member(current_user, r.application.organisation_id)
        },
        profiles={r.application.id: ngo.profile_of(r.application.organisation) for r in rows},
        printed_at=utcnow(),
        locale=_locale(),
    )


# --- the Board: meetings and decisions -------------------------------------------------------


@bp.get("/board")
@requires(Permission.VIEW_BOARD_PACK)
def board() -> Any:
    calls = list(
        db.session.execute(
            db.select(Call)
            .where(Call.status.in_((CallStatus.CLOSED, CallStatus.DECIDED, CallStatus.PUBLISHED)))
            .order_by(Call.closes_at.desc())
        ).scalars()
    )
    counts = queries.board_pack_counts()
    return render_template(
        "reviews/board.html",
        packs=[(c, counts[c.id]) for c in calls if counts.get(c.id)],
        meetings=queries.meetings(),
        can_record=has_permission(current_user, Permission.RECORD_BOARD_DECISION),
        locale=_locale(),
    )


def _meeting_form() -> MeetingForm:
    form = MeetingForm()
    form.members.choices = [(m.id, m.full_name) for m in queries.board_members()]
    form.call_id.choices = [(0, _("Any call"))] + [
        (c.id, f"{c.reference} — {c.title_in(_locale())}")
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
        form.members.data = [m.id for m in queries.board_members()]
    if form.validate_on_submit():
        members = [m for m in queries.board_members() if m.id in set(form.members.data or [])]
        call = db.session.get(Call, form.call_id.data) if form.call_id.data else None
        try:
            meeting = selection.create_meeting(
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
        "reviews/meeting_new.html", form=form, quorum=selection.board_quorum()
    ), (422 if form.form_errors or form.errors else 200)


@bp.get("/board/meetings/<int:meeting_id>")
@requires(Permission.VIEW_BOARD_PACK)
def meeting(meeting_id: int) -> Any:
    meeting = visible_or_404(BoardMeeting, meeting_id, _exists)
    waiting = queries.awaiting_decision(meeting) if meeting.status == MeetingStatus.OPEN else []
    return render_template(
        "reviews/meeting.html",
        meeting=meeting,
        waiting=waiting,
        voters={a.id: selection.voters_for(meeting, a) for a in waiting},
        can_record=has_permission(current_user, Permission.RECORD_BOARD_DECISION),
        linked={a.id for a in waiting if is_member(current_user, a.organisation_id)},
        form=EmptyForm(),
        locale=_locale(),
    )


def _decision_form(meeting: BoardMeeting, application: Application) -> DecisionForm:
    form = DecisionForm()
    voters = selection.voters_for(meeting, application).voting
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
    meeting = visible_or_404(BoardMeeting, meeting_id, _exists)
    application = visible_or_404(Application, application_id, _exists)
    if not can_record_decision(current_user, application):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you cannot record its decision.")
        )
    form = _decision_form(meeting, application)
    if form.validate_on_submit():
        votes: dict[int, Vote] = {}
        for entry in form.votes:
            if str(entry.member_id.data).isdigit() and entry.vote.data in {v.value for v in Vote}:
                votes[int(entry.member_id.data)] = Vote(entry.vote.data)
        try:
            amount = (
                form.approved_amount.minor
                if form.outcome.data == DecisionOutcome.APPROVED
                else None
            )
            selection.record_decision(
                actor=current_user,
                meeting=meeting,
                application=application,
                outcome=DecisionOutcome(form.outcome.data),
                votes=votes,
                rationale=form.rationale.data or "",
                approved_amount=amount,
                conditions=(form.conditions.data or "")
                if form.outcome.data == DecisionOutcome.APPROVED
                else "",
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            outcome = review_label(DecisionOutcome(form.outcome.data))
            flash(
                _(
                    "The decision on %(ref)s is recorded: %(outcome)s, %(amount)s.",
                    ref=application.reference,
                    outcome=outcome,
                    amount=money(amount, application.currency),
                )
                if amount is not None
                else _(
                    "The decision on %(ref)s is recorded: %(outcome)s.",
                    ref=application.reference,
                    outcome=outcome,
                ),
                "success",
            )
            return redirect(url_for("reviews.meeting", meeting_id=meeting.id))
    voters = selection.voters_for(meeting, application)
    members = {m.id: m for m in meeting.members}
    return render_template(
        "reviews/decide.html",
        meeting=meeting,
        application=application,
        call=application.call,
        form=form,
        voters=voters,
        members=members,
        score=queries.application_score(application),
        recommendation=queries.latest_recommendation(application),
        previous=queries.decisions_of(application),
        locale=_locale(),
    ), (422 if form.form_errors or form.errors else 200)


@bp.post("/board/meetings/<int:meeting_id>/close")
@requires(Permission.RECORD_BOARD_DECISION)
def close_meeting(meeting_id: int) -> Any:
    meeting = visible_or_404(BoardMeeting, meeting_id, _exists)
    selection.close_meeting(actor=current_user, meeting=meeting)
    db.session.commit()
    flash(_("The meeting's record is closed."), "success")
    return redirect(url_for("reviews.meeting", meeting_id=meeting.id))


# --- the applicant ----------------------------------------------------------------------------


@bp.get("/applications/<int:application_id>/decision-letter")
@login_required
def decision_letter(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_decision_letter)
    decision = queries.latest_decision(application)
    if decision is None or application.status not in (S.APPROVED, S.RESERVE, S.REJECTED):
        abort(404)
    return render_template(
        "reviews/decision_letter.html",
        application=application,
        call=application.call,
        decision=decision,
        score=queries.application_score(application),
        feedback=queries.feedback_for(application),
        locale=_locale(),
    )
