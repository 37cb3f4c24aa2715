"""Version 1 of the JSON API: the blueprint each feature's ``api.py`` adds its routes to (they
are imported in app/bootstrap.py), who is asking, and the OpenAPI document (docs/api.md).

Public routes answer anyone. Every other route wants ``Authorization: Bearer <token>``, a
personal access token (app/tokens/): the request then acts as the token's owner, with exactly
their permissions, and is rate-limited per token. A missing or refused token is a 401 in RFC
9457 problem details (``application/problem+json``); other errors keep the API's
``{"error": {"status", "message"}}`` (app/web/errors.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.http import unquote_etag

from app.accounts.models import User
from app.accounts.permissions import Permission, has_permission
from app.accounts.services import organisation_ids_of
from app.platform.db import utcnow
from app.platform.errors import N_, DomainError, ValidationFailed
from app.platform.extensions import csrf, db, limiter, login_manager
from app.tokens import idempotency
from app.tokens import services as tokens
from app.tokens.models import ApiToken, TokenScope
from app.web.access import PUBLIC, access_rule_of, public
from app.web.errors import api_problem, problem_response
from app.web.keyset import newest_first_page

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

# Per token: generous for a program paging through a list, low enough to stop a runaway loop.
TOKEN_RATE_LIMIT = "120 per minute"  # noqa: S105 - a rate, not a secret
F = TypeVar("F", bound=Callable[..., Any])


def problem(status: int, kind: str, title: str, detail: str) -> Any:
    """An RFC 9457 problem details response."""
    return problem_response(status, kind, title, detail)


def _presented_token() -> ApiToken | None:
    """The token of the Authorization header, looked up once per request."""
    if "api_token" not in g:
        scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
        g.api_token = tokens.find_token(raw.strip()) if scheme.lower() == "bearer" else None
    found: ApiToken | None = g.api_token
    return found


def _rate_key() -> str:
    token = _presented_token()
    return f"api-token:{token.id}" if token is not None else f"api-ip:{request.remote_addr}"


# The limiter checks before the blueprint's hooks run, so it finds the token itself. Requests
# without a token (the public routes) are not counted here: those are cached and answer anyone.
limiter.limit(
    TOKEN_RATE_LIMIT,
    key_func=_rate_key,
    exempt_when=lambda: "Authorization" not in request.headers,
)(bp)


# No CSRF token: a form token guards a session cookie, and the API never acts on one (a private
# route wants a Bearer token, a public one answers everyone alike). Programs have no form.
csrf.exempt(bp)


def _staff_requires_2fa() -> bool:
    return bool(current_app.config.get("REQUIRE_2FA_FOR_STAFF"))


@bp.before_request
def _authenticate() -> Any:
    """Act as the token's owner, or refuse with a 401 the client can read."""
    view = current_app.view_functions.get(request.endpoint or "")
    rule = access_rule_of(view) if view is not None else None
    header = request.headers.get("Authorization")
    if header is None:
        if rule is not None and rule.kind != PUBLIC:
            return problem(
                401,
                "token-missing",
                _("Authentication required"),
                _("Send a personal access token in the header Authorization: Bearer <token>."),
            )
        # Public: answered the same for everyone, whoever the browser's session belongs to.
        return None
    if not header.lower().startswith("bearer "):
        if rule is not None and rule.kind == PUBLIC:
            return None  # the OAuth token endpoint reads the client's Basic credentials itself
        return problem(
            401,
            "token-invalid",
            _("Invalid token"),
            _("Send a personal access token in the header Authorization: Bearer <token>."),
        )
    now = utcnow()
    try:
        token = tokens.check_token(
            _presented_token(), now=now, staff_requires_2fa=_staff_requires_2fa()
        )
    except tokens.TokenRefused as refusal:
        return problem(401, "token-invalid", _("Invalid token"), refusal.translated(_))
    # A token's scopes limit the private routes; a public route answers it as it answers anyone.
    private = rule is None or rule.kind != PUBLIC
    if private and TokenScope.READ not in token.scope_set and request.method in ("GET", "HEAD"):
        return problem(
            403,
            "scope-missing",
            _("Scope missing"),
            _("This token may not read: it lacks the scope “read”."),
        )
    if (
        private
        and TokenScope.WRITE not in token.scope_set
        and request.method not in ("GET", "HEAD")
    ):
        return problem(
            403,
            "scope-missing",
            _("Scope missing"),
            _("This token may not change anything: it lacks the scope “write”."),
        )
    # And to the area the route belongs to (decision 0117): a "grants" token reads no ledger.
    area = area_of(view) if view is not None else None
    if private and area is not None and area not in token.scope_set:
        return problem(
            403,
            "scope-missing",
            _("Scope missing"),
            _(
                "This token may not use this part of the API: it lacks the scope “%(area)s”.",
                area=area.value,
            ),
        )
    tokens.note_use(token, now=now)
    db.session.commit()
    # The request acts as the token's owner, without a session cookie being made.
    login_manager._update_request_context_with_user(token.user)
    return None


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one route: written beside the route, read by
    ``openapi_document`` from the URL map, so a route cannot be forgotten in it."""

    summary: str
    response: dict[str, Any]
    description: str = ""
    parameters: tuple[dict[str, Any], ...] = field(default=())
    # The JSON body a write route takes, and the status of its success.
    request: dict[str, Any] | None = None
    status: int = 200
    # Refusals besides those of every token route (401, 403, 429), each a problem document.
    problems: tuple[int, ...] = field(default=())
    # A success may also be a bodiless 304 (If-None-Match matched the ETag).
    not_modified: bool = False
    # How the body is sent: JSON, or a form (the OAuth token endpoint, as RFC 6749 asks).
    request_media_type: str = "application/json"
    # OpenAPI links from the success answer to the operations a client calls next (by
    # operationId), which Schemathesis's stateful tests follow.
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The area scope a token needs besides read or write (decision 0117); None: any token.
    area: TokenScope | None = None
    # What the success answer is: JSON, or a page or file (then ``response`` describes it as
    # a string).
    response_media_type: str = "application/json"


def documented(operation: Operation) -> Callable[[F], F]:
    """Attach ``operation`` to a view (put it nearest the ``def``: the access and rate-limit
    wrappers copy it outwards)."""

    def decorator(view: F) -> F:
        view.api_operation = operation  # type: ignore[attr-defined]
        return view

    return decorator


def operation_of(view: Callable[..., Any]) -> Operation | None:
    return getattr(view, "api_operation", None)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
        }
    },
}
# Money in the token routes: a string of minor units (no float, no size limit) and its currency.
MONEY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["amount_minor", "currency"],
    "properties": {
        "amount_minor": {"type": "string", "pattern": "^-?[0-9]+$"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
}
TIME_SCHEMA: dict[str, Any] = {"type": "string", "format": "date-time"}
# The organisation a record belongs to, named.
ORGANISATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}
CURSOR_PARAMETERS: tuple[dict[str, Any], ...] = (
    {
        "name": "after",
        "in": "query",
        "required": False,
        "description": "The next_cursor of the previous page.",
        "schema": {"type": "string"},
    },
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The page's ETag you have: 304 without a body if it is unchanged.",
        "schema": {"type": "string"},
    },
)


def organisations_in_reach(person: User, member_permission: Permission) -> set[int] | None:
    """Whose records a token route lists, as the matching pages do: every organisation's
    (``None``) for the fund's staff who see every application, the person's own organisations'
    when they hold ``member_permission``, no one's otherwise."""
    if has_permission(person, Permission.VIEW_ALL_APPLICATIONS):
        return None
    return organisation_ids_of(person) if has_permission(person, member_permission) else set()


def newest_first_json(
    key: str,
    query: sa.Select[Any],
    *,
    moment: Any,
    row_id: Any,
    as_json: Callable[[Any], dict[str, Any]],
) -> Any:
    """One keyset page of ``query`` (newest ``moment`` first) as ``{key: [...], next_cursor}``,
    the shape ``page_schema`` describes, with an ETag (304 when If-None-Match names it)."""
    page = newest_first_page(
        query, moment=moment, row_id=row_id, per_page=current_app.config["PAGE_SIZE"]
    )
    payload = {key: [as_json(item) for item in page.items], "next_cursor": page.next_cursor}
    return answer_or_not_modified(payload)


# A day cursor's id fits a BIGINT: anything else is a forged cursor, ignored (first page).
_LARGEST_CURSOR_ID = 2**63 - 1


def _day_cursor(cursor: str | None) -> tuple[date, int] | None:
    """The (day, id) of a ``YYYY-MM-DD.id`` cursor; None for a missing or malformed one."""
    day, _sep, row_id = (cursor or "").partition(".")
    try:
        found = date.fromisoformat(day), int(row_id)
    except ValueError:
        return None
    return found if 0 <= found[1] <= _LARGEST_CURSOR_ID else None


def newest_day_first_json(
    key: str,
    query: sa.Select[Any],
    *,
    day: Any,
    row_id: Any,
    as_json: Callable[[Any], dict[str, Any]],
) -> Any:
    """``newest_first_json`` for a list its page orders by a day (a value date, a month), then
    id, newest first: the cursor is ``YYYY-MM-DD.id``. ``query`` may select an entity or a
    mapped row with ``day`` and ``row_id`` among its attributes."""
    after = _day_cursor(request.args.get("after"))
    if after is not None:
        query = query.where(
            sa.tuple_(day, row_id)
            < sa.tuple_(sa.literal(after[0], day.type), sa.literal(after[1], row_id.type))
        )
    per_page = current_app.config["PAGE_SIZE"]
    rows = list(
        db.session.execute(query.order_by(day.desc(), row_id.desc()).limit(per_page + 1))
        .unique()
        .scalars()
    )
    last = rows[per_page - 1] if len(rows) > per_page else None
    next_cursor = (
        f"{getattr(last, day.key).isoformat()}.{getattr(last, row_id.key)}" if last else None
    )
    payload = {key: [as_json(item) for item in rows[:per_page]], "next_cursor": next_cursor}
    return answer_or_not_modified(payload)


def answer_or_not_modified(payload: dict[str, Any]) -> Any:
    """``payload`` with its ETag, or a bodiless 304 when If-None-Match already names it."""
    etag = list_etag(payload)
    if fresh_for_client(etag):
        response = current_app.response_class(status=304)
        response.headers["ETag"] = etag
        return response
    return answer(payload, etag=etag)


def page_schema(key: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key, "next_cursor"],
        "properties": {
            key: {"type": "array", "items": item},
            "next_cursor": {"type": ["string", "null"]},
        },
    }


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every /api/v1 route, from the routes themselves."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        entry = _operation_entry(rule, app.view_functions[rule.endpoint])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(_openapi_path(rule), {})[method.lower()] = _with_scopes(
                entry, method, app.view_functions[rule.endpoint]
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{app.config.get('FUND_SHORT_NAME', 'Trust Fund Grants')} API",
            "version": "1",
            "description": "See docs/api.md. Token routes take Authorization: Bearer <token>.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token made on /account/tokens",
                }
            }
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


# The area of the operations of a module whose Operations do not name one (decision 0117):
# modules other work was changing when area scopes came. An Operation's own area comes first.
AREA_OF_MODULE: dict[str, TokenScope] = {
    "app.applications.api": TokenScope.APPLICATIONS,
    "app.grants.api": TokenScope.GRANTS,
    "app.results.api": TokenScope.GRANTS,
}


def area_of(view: Callable[..., Any]) -> TokenScope | None:
    """The area scope a token needs for a route, besides read or write; None: any token."""
    operation = operation_of(view)
    if operation is not None and operation.area is not None:
        return operation.area
    rule = access_rule_of(view)
    if rule is not None and rule.kind == PUBLIC:
        return None
    return AREA_OF_MODULE.get(getattr(view, "__module__", ""))


def token_scopes_needed(method: str, view: Callable[..., Any]) -> list[TokenScope]:
    """The scopes a token needs for ``method`` on a private route: read or write, and the
    route's area if it has one (decision 0117)."""
    needed = [TokenScope.READ if method in ("GET", "HEAD") else TokenScope.WRITE]
    area = area_of(view)
    if area is not None:
        needed.append(area)
    return needed


def _with_scopes(entry: dict[str, Any], method: str, view: Callable[..., Any]) -> dict[str, Any]:
    """The operation with the token scopes it needs (``x-token-scopes``: bearer tokens have no
    standard place for them); public operations need none."""
    if entry.get("security") == []:
        return entry
    needed = token_scopes_needed(method, view)
    return {**entry, "x-token-scopes": [scope.value for scope in needed]}


def _openapi_path(rule: Any) -> str:
    """``/applications/<int:id>`` as OpenAPI writes it: ``/applications/{id}``."""
    path = str(rule.rule)
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
    return path


def _operation_entry(rule: Any, view: Any) -> dict[str, Any]:
    """One operation: what it answers, and for token routes the refusals it may give."""
    operation = operation_of(view)
    access = access_rule_of(view)
    if operation is None or access is None:
        raise LookupError(f"{rule.endpoint} has no OpenAPI operation or access rule")
    responses: dict[str, Any] = {
        str(operation.status): {
            "description": operation.summary,
            "content": {operation.response_media_type: {"schema": operation.response}},
        }
    }
    if operation.links:
        responses[str(operation.status)]["links"] = operation.links
    if operation.not_modified:
        responses["304"] = {"description": "Not modified since the ETag sent in If-None-Match"}
    entry: dict[str, Any] = {
        "operationId": rule.endpoint.removeprefix(f"{bp.name}."),
        "summary": operation.summary,
        "parameters": list(operation.parameters),
        "responses": responses,
    }
    if operation.description:
        entry["description"] = operation.description
    if operation.request is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {operation.request_media_type: {"schema": operation.request}},
        }
    problem_body = {"application/problem+json": {"schema": PROBLEM_SCHEMA}}
    # Any route may find its URL or a header malformed (a NUL in a parameter, say).
    responses["400"] = {"description": PROBLEM_DESCRIPTIONS[400], "content": problem_body}
    if access.kind == PUBLIC:
        entry["security"] = []
        for status in operation.problems:
            responses[str(status)] = {
                "description": PROBLEM_DESCRIPTIONS[status],
                "content": problem_body,
            }
        return entry
    responses["401"] = {"description": "No token, or a refused one", "content": problem_body}
    responses["403"] = {"description": "Not allowed to this person", "content": problem_body}
    for status in operation.problems:
        responses[str(status)] = {
            "description": PROBLEM_DESCRIPTIONS[status],
            "content": problem_body,
        }
    responses["429"] = {"description": f"More than {TOKEN_RATE_LIMIT} for this token"}
    return entry


PROBLEM_DESCRIPTIONS = {
    400: "The request is malformed (a header, a parameter, a character that cannot be stored)",
    401: "The client's credentials are wrong, or it is revoked",
    404: "Not found, or not yours to see",
    409: "The record's state does not allow this, or someone changed it at the same moment",
    412: "If-Match does not name the current version",
    422: "The body breaks a rule (problem details say which), or the Idempotency-Key was used "
    "with a different request",
    428: "If-Match is missing",
}


@bp.get("/openapi.json")
@public
@documented(
    Operation(
        summary="This OpenAPI 3.1 document",
        response={"type": "object", "required": ["openapi", "paths"]},
    )
)
def openapi() -> Any:
    response = jsonify(openapi_document(current_app))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def api_user() -> User:
    """The person the request acts for: the token's owner (each feature's ``api.py`` asks here,
    since only the request layer reads Flask-Login)."""
    user: User = current_user._get_current_object()
    return user


def problem_for(status: int, detail: str) -> Any:
    """An RFC 9457 problem of the kind ``status`` names (app/web/errors.py answers every error
    under /api/v1/ so: a refused rule, a missing record, a malformed URL)."""
    return api_problem(status, detail)


class PreconditionFailed(DomainError):
    """If-Match names a version the record no longer has."""

    status_code = 412


def etag_of(kind: str, record_id: int, version: int) -> str:
    """A strong validator of one record's version (RFC 9110)."""
    return f'"{kind}-{record_id}-v{version}"'


def fresh_for_client(etag: str) -> bool:
    """Whether the client's If-None-Match already names ``etag`` (answer 304; weak
    comparison, RFC 9110 13.1.2)."""
    value, _weak = unquote_etag(etag)
    return bool(value) and request.if_none_match.contains_weak(value or "")


def if_match_refused(etag: str) -> bool:
    """Whether an If-Match header was sent and names another version (answer 412)."""
    if "If-Match" not in request.headers:
        return False
    value, _weak = unquote_etag(etag)
    return not request.if_match.contains(value or "")


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object (else 422 / 415)."""
    if not request.is_json:
        raise ValidationFailed(N_("Send a JSON body with Content-Type: application/json."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(N_("The body must be a JSON object."))
    return body


def list_etag(payload: dict[str, Any]) -> str:
    """A weak validator of a list page: the hash of what it says."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def answer(payload: dict[str, Any], *, status: int = 200, etag: str | None = None) -> Any:
    response = jsonify(payload)
    response.status_code = status
    if etag is not None:
        response.headers["ETag"] = etag
    return response


def idempotent(view: F) -> F:
    """A POST that creates a record, made safe to retry: with an ``Idempotency-Key`` header, the
    first answer is stored with the work in one transaction and a retry gets it again
    (``Idempotent-Replayed: true``); the same key with another body is a 422. The view returns
    its response without committing; this commits."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            response = view(*args, **kwargs)
            db.session.commit()
            return response
        user_id = api_user().id
        replay = idempotency.claim(
            user_id=user_id,
            key=key,
            request_fingerprint=idempotency.fingerprint(
                request.method, request.path, request.get_data()
            ),
        )
        if replay is not None:
            db.session.rollback()
            response = current_app.response_class(
                replay.body, status=replay.status, mimetype="application/json"
            )
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = view(*args, **kwargs)
        idempotency.record(
            user_id=user_id,
            key=key,
            status=response.status_code,
            body=response.get_data(as_text=True),
        )
        db.session.commit()
        return response

    return wrapper  # type: ignore[return-value]


IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID): a retry with the same key and body gets the "
    "first answer instead of creating a second record.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
IF_MATCH_PARAMETER: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read: the change is refused (412) if someone saved since.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH_PARAMETER: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you have: 304 without a body if it is still current.",
    "schema": {"type": "string"},
}
