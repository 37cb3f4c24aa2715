"""One place that turns errors into friendly pages (HTML) or JSON (API), never a bare 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from app.platform.errors import (
    DomainError,
    describe_amounts_with,
    describe_days_with,
    describe_enums_with,
)
from app.platform.extensions import db
from app.web.display import money
from app.web.vocabulary import describe

_TITLES = {
    400: lambda: _("Bad request"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Page not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Conflict"),
    413: lambda: _("File too large"),
    422: lambda: _("Please check your input"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong"),
}


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have permission to see this page."),
        404: _("We could not find that page. It may have moved, or the link may be wrong."),
        405: _("This page cannot be used that way."),
        409: _("This change conflicts with the current state of the record."),
        413: _("The file is larger than we accept."),
        422: _("Some of the information given is not valid."),
        429: _("Too many attempts. Please wait a few minutes before trying again."),
        500: _("An unexpected error occurred. It has been logged; please try again later."),
    }


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json"
    )


# Errors of the JSON API (/api/v1) are RFC 9457 problems: their kind and title by status.
_PROBLEM_KINDS: dict[int, tuple[str, Callable[[], str]]] = {
    400: ("bad-request", lambda: _("Bad request")),
    403: ("forbidden", lambda: _("Not allowed")),
    404: ("not-found", lambda: _("Not found")),
    405: ("method-not-allowed", lambda: _("Method not allowed")),
    409: ("conflict", lambda: _("Conflict")),
    412: ("precondition-failed", lambda: _("Precondition failed")),
    413: ("too-large", lambda: _("File too large")),
    422: ("invalid", lambda: _("Please check your input")),
    428: ("precondition-required", lambda: _("Precondition required")),
    429: ("too-many-requests", lambda: _("Too many attempts")),
}


def problem_response(status: int, kind: str, title: str, detail: str) -> Any:
    """An RFC 9457 problem details response; ``kind`` names the problem (docs/api.md)."""
    response = jsonify(
        type=f"urn:trustfund:problem:{kind}", title=title, status=status, detail=detail
    )
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_problem(status: int, detail: str | None = None) -> Any:
    kind, title = _PROBLEM_KINDS.get(status, ("error", lambda: _("Something went wrong")))
    return problem_response(status, kind, title(), detail or _messages().get(status, ""))


def render_error(status: int, message: str | None = None) -> tuple[Any, int]:
    if request.path.startswith("/api/v1/"):
        return api_problem(status, message), status
    message = message or _messages().get(status, _messages()[500])
    if wants_json():
        return jsonify(error={"status": status, "message": message}), status
    title = _TITLES.get(status, _TITLES[500])()
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    describe_enums_with(describe)
    describe_amounts_with(money)
    describe_days_with(lambda day: str(format_date(day, "medium")))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Any:
        db.session.rollback()  # nothing half-written survives a refused action
        return render_error(error.status_code, error.translated(_))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return render_error(
            400, _("Your form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(sa.exc.IntegrityError)
    def integrity_error(error: sa.exc.IntegrityError) -> Any:
        # The services check every rule before writing. The database refusing a row (a unique
        # key, a trigger) then means two requests raced, a double click or two people at once,
        # and the other one won: nothing of this one is kept, and the person is told so.
        db.session.rollback()
        current_app.logger.warning("Refused by the database: %s", error.orig)
        return render_error(
            409,
            _(
                "Someone changed this at the same moment, or the form was sent twice. "
                "Nothing was saved from this attempt: reload the page to see where things stand."
            ),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> Any:
        # A Host outside TRUSTED_HOSTS: Flask has no address to build the error page's links
        # from, and the client is not one of ours. A short plain answer.
        return current_app.response_class(
            "Bad request: unknown host.\n", status=400, mimetype="text/plain"
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        return render_error(status, None if status != 400 else error.description)
