"""After the reviews: an application's reviews, the call's ranking, the recommendation to the
Board, and the Board pack (sent, and read)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_application, is_member
from app.applications import services as ngo
from app.applications.models import Application
from app.calls.models import Call
from app.grants.services import grant_for_application
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.reviews.models import PanelOutcome
from app.reviews.queries.assignments import assignments_of
from app.reviews.queries.board import board_pack_rows, decisions_of
from app.reviews.queries.ranking import call_ranking, latest_recommendation
from app.reviews.queries.scores import application_score, visible_reviews
from app.reviews.queries.screening import screenings_of
from app.reviews.services import recommendation as recommendation_rules
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import EmptyForm, RecommendForm
from app.reviews.web.views.common import exists, flash_error, not_linked, page_locale
from app.web.access import requires
from app.web.lookup import visible_or_404


@bp.get("/applications/<int:application_id>/reviews")
@requires(Permission.VIEW_ALL_APPLICATIONS)
def application_reviews(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    not_linked(application)
    return render_template(
        "reviews/application_reviews.html",
        application=application,
        call=application.call,
        reviews=visible_reviews(application, current_user) or [],
        assignments=assignments_of(application),
        score=application_score(application),
        criteria=list(application.call.criteria),
        screenings=screenings_of(application),
        recommendation=latest_recommendation(application),
        decisions=decisions_of(application),
        # The grant that carries out the approval: where the decision's money can be followed.
        grant=grant_for_application(application),
        can_recommend=recommendation_rules.can_prepare_recommendation(current_user, application),
        locale=page_locale(),
    )


@bp.get("/calls/<int:call_id>/ranking")
@requires(Permission.PREPARE_BOARD_PACK)
def ranking(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, exists)
    return render_template(
        "reviews/ranking.html",
        call=call,
        ranking=call_ranking(call),
        threshold=Decimal(str(current_app.config["REVIEW_DISAGREEMENT_SPREAD"])),
        form=EmptyForm(),
        locale=page_locale(),
    )


@bp.route("/applications/<int:application_id>/recommend", methods=["GET", "POST"])
@requires(Permission.PREPARE_BOARD_PACK)
def recommend(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, exists)
    not_linked(application)
    form = RecommendForm()
    if request.method == "GET":
        previous = latest_recommendation(application)
        if previous is not None:
            form.key_risks.data = previous.key_risks
            form.feedback.data = previous.feedback
    if form.validate_on_submit():
        try:
            recommendation_rules.recommend(
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
        score=application_score(application),
        profile=ngo.profile_of(application.organisation),
        locale=page_locale(),
    ), (422 if form.form_errors or form.errors else 200)


@bp.post("/calls/<int:call_id>/send-pack")
@requires(Permission.PREPARE_BOARD_PACK)
def send_pack(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, exists)
    try:
        count = recommendation_rules.send_board_pack(actor=current_user, call=call)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("reviews.ranking", call_id=call.id))
    db.session.commit()
    flash(_("The Board pack is sent to %(count)d member(s).", count=count), "success")
    return redirect(url_for("reviews.ranking", call_id=call.id))


@bp.get("/calls/<int:call_id>/board-pack")
@requires(Permission.VIEW_BOARD_PACK)
def board_pack(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, exists)
    rows = board_pack_rows(call)
    ranking_ = call_ranking(call)
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
        locale=page_locale(),
    )
