"""The reviewer's pages: their reviews, the declaration of interest, and the review itself
(rubric scores, recommendation, comments; saved as a draft or submitted)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission
from app.applications.models import ApplicationStatus
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.reviews.models import AssignmentStatus, Recommendation, ReviewAssignment
from app.reviews.queries.assignments import assignments_for_reviewer, is_open
from app.reviews.queries.scores import (
    review_problems,
    review_weighted_score,
    to_decimal,
    visible_reviews,
)
from app.reviews.services import assignment as assignment_rules
from app.reviews.services import scoring as scoring_rules
from app.reviews.services.scoring import ScoreInput
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import DeclarationForm, ReviewForm, ReviewSubmitForm
from app.reviews.web.views.common import application_context, page_locale
from app.web.access import requires
from app.web.display import describe
from app.web.lookup import visible_or_404

S = ApplicationStatus


@bp.get("/mine")
@requires(Permission.REVIEW_APPLICATION)
def mine() -> Any:
    assignments = assignments_for_reviewer(current_user)
    return render_template(
        "reviews/mine.html",
        assignments=assignments,
        open_ids={a.id for a in assignments if is_open(a)},
        today=utcnow().date(),
        locale=page_locale(),
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
        "locale": page_locale(),
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
        **{**application_context(application), **context},
        review=review,
        form=_review_form(assignment, review_form),
        criteria=list(application.call.criteria),
        editable=application.status == S.IN_REVIEW and not (review and review.is_submitted),
        others=visible_reviews(application, current_user),
        own_score=review_weighted_score(review, list(application.call.criteria))
        if review
        else None,
        to_decimal=to_decimal,
    ), status


@bp.post("/assignments/<int:assignment_id>/declare")
@requires(Permission.REVIEW_APPLICATION)
def declare(assignment_id: int) -> Any:
    assignment = _own_assignment(assignment_id)
    form = DeclarationForm()
    if not form.validate_on_submit():
        return _render_assignment(assignment, declaration_form=form, status=422)
    try:
        assignment_rules.declare_interest(
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
    recommendation = form.recommendation.data
    try:
        review = scoring_rules.save_review(
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
    if not submitting:
        flash(_("Your draft is saved."), "success")
        return redirect(url_for("reviews.assignment", assignment_id=assignment.id))
    # Submitting: the draft is kept, and what is still missing is said on the form; a complete
    # review goes to the check page, where the reviewer ticks the declaration and sends it.
    problems = review_problems(review)
    if problems:
        flash(_("Your draft is saved."), "success")
        form.form_errors.extend(describe(problem) for problem in problems)
        return _render_assignment(assignment, review_form=form, status=422)
    return redirect(url_for("reviews.check_review", assignment_id=assignment.id))


def _checkable(assignment: ReviewAssignment) -> bool:
    """A draft that may still be sent: the reviewer is active and the application in review."""
    review = assignment.review
    return (
        review is not None
        and not review.is_submitted
        and assignment.status == AssignmentStatus.ACTIVE
        and assignment.application.status == S.IN_REVIEW
    )


def _check_page(assignment: ReviewAssignment, form: ReviewSubmitForm, status: int = 200) -> Any:
    application = assignment.application
    criteria = list(application.call.criteria)
    review = assignment.review
    return render_template(
        "reviews/review_check.html",
        assignment=assignment,
        application=application,
        review=review,
        criteria=criteria,
        own_score=review_weighted_score(review, criteria) if review else None,
        to_decimal=to_decimal,
        form=form,
    ), status


@bp.get("/assignments/<int:assignment_id>/submit")
@requires(Permission.REVIEW_APPLICATION)
def check_review(assignment_id: int) -> Any:
    """Check your answers: the scores, the recommendation and the comments about to be sent,
    a link back to each, and the declaration to tick; sending is the POST below."""
    assignment = _own_assignment(assignment_id)
    if not _checkable(assignment):
        return redirect(url_for("reviews.assignment", assignment_id=assignment.id))
    return _check_page(assignment, ReviewSubmitForm())


@bp.post("/assignments/<int:assignment_id>/submit")
@requires(Permission.REVIEW_APPLICATION)
def submit_review(assignment_id: int) -> Any:
    assignment = _own_assignment(assignment_id)
    review = assignment.review
    if review is None:
        return redirect(url_for("reviews.assignment", assignment_id=assignment.id))
    form = ReviewSubmitForm()
    if not form.validate_on_submit():
        return _check_page(assignment, form, 422)
    try:
        # The draft saved on the way here is what the reviewer checked: it is what is sent.
        scoring_rules.submit_review(
            actor=current_user,
            assignment=assignment,
            scores={s.criterion_id: ScoreInput(s.score, s.justification) for s in review.scores},
            recommendation=review.recommendation,
            comments=review.comments,
        )
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.translated(_))
        return _check_page(assignment, form, error.status_code)
    db.session.commit()
    flash(_("Your review is submitted. Thank you."), "success")
    return redirect(url_for("reviews.assignment", assignment_id=assignment.id))
