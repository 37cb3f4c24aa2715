"""The application page, its printable view and its private document downloads."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user

from app.accounts.permissions import can_view_application, can_view_document, is_member
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus, Document
from app.applications.web.blueprint import bp
from app.applications.web.forms import MessageForm, WithdrawForm
from app.applications.web.views.common import page_context
from app.applications.web.views.concepts import concept_context
from app.applications.workflow import APPLICATION_WORKFLOW
from app.reviews.web.panel import selection_context
from app.screening.web.notice import due_diligence_notice
from app.web.access import login_required
from app.web.downloads import send_private_file
from app.web.lookup import visible_or_404


@bp.get("/<int:application_id>")
@login_required
def show(application_id: int) -> Any:
    return show_page(application_id)


def show_page(application_id: int, status: int = 200, **overrides: Any) -> Any:
    """The application's page; ``overrides`` replace parts of its context (a refused form)."""
    application = visible_or_404(Application, application_id, can_view_application)
    member = is_member(current_user, application.organisation_id)
    moves = APPLICATION_WORKFLOW.available_moves(
        application,
        current_user,
        among=(ApplicationStatus.WITHDRAWN, ApplicationStatus.INFO_REQUESTED),
    )
    context = {**concept_context(application), **overrides}
    return render_template(
        "applications/show.html",
        **page_context(application),
        **selection_context(application),
        **context,
        profile=ngo.profile_of(application.organisation),
        **due_diligence_notice(current_user, application.organisation),
        organisation_documents=ngo.organisation_documents(application.organisation),
        budget_by_category=ngo.budget_by_category(application),
        can_withdraw=ApplicationStatus.WITHDRAWN in moves,
        can_reply=member and application.status == ApplicationStatus.INFO_REQUESTED,
        can_request_information=ApplicationStatus.INFO_REQUESTED in moves,
        message_form=MessageForm(),
        withdraw_form=WithdrawForm(),
    ), status


@bp.get("/<int:application_id>/print")
@login_required
def printable(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    return render_template(
        "applications/print.html",
        **page_context(application),
        budget_by_category=ngo.budget_by_category(application),
        organisation_documents=ngo.organisation_documents(application.organisation),
    )


@bp.get("/documents/<int:document_id>")
@login_required
def download(document_id: int) -> Any:
    """A private file, after the access check; always as an attachment, never rendered."""
    document = visible_or_404(Document, document_id, can_view_document)
    return send_private_file(
        document.storage_key,
        filename=document.filename,
        content_type=document.content_type,
        subject=document,
        what="document",
    )
