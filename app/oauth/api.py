"""``POST /api/v1/oauth/token``: the OAuth 2 client credentials grant (RFC 6749 §4.4), served
by Authlib's AuthorizationServer over the clients of app/oauth (docs/api.md, decision 0102).

A refusal is an RFC 9457 problem that also carries OAuth's ``error`` and
``error_description``, so both kinds of client library read it.
"""

from __future__ import annotations

import json
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from flask import Response, request
from flask_babel import gettext as _

from app.oauth import services as oauth
from app.oauth.models import OAuthClient
from app.platform.extensions import db, limiter
from app.tokens.models import TokenScope
from app.web.access import public
from app.web.api import Operation, bp, documented

# Per client: a program asks for a token once an hour; a loop asking faster is a bug or an
# attacker guessing the secret.
TOKEN_ENDPOINT_LIMIT = "20 per minute"  # noqa: S105 - a rate, not a secret


class _Client(ClientMixin):
    """What Authlib asks of a client, answered from our ``OAuthClient``."""

    def __init__(self, record: OAuthClient) -> None:
        self.record = record

    def get_client_id(self) -> str:
        return self.record.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = oauth.allowed_scopes(self.record, scope) or []
        return " ".join(allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return oauth.secret_matches(self.record, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class _ClientCredentials(grants.ClientCredentialsGrant):
    # Basic (RFC 6749 §2.3.1, what curl -u sends) or the form's client_id/client_secret.
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        super().validate_token_request()
        if oauth.allowed_scopes(self.request.client.record, self.request.payload.scope) is None:
            raise InvalidScopeError()


class _Server(AuthorizationServer):
    def handle_error_response(self, oauth_request: Any, error: OAuth2Error) -> Response:
        status, body, headers = error(self.get_error_uri(oauth_request, error))
        detail = body.get("error_description") or {
            "invalid_client": _("The client id or secret is wrong, or the client is revoked."),
            "invalid_scope": _("Ask only for scopes the client was granted: read, write."),
            "unsupported_grant_type": _("Send grant_type=client_credentials."),
        }.get(body["error"], _("The token request is not valid."))
        # RFC 6749 answers an unknown client 401 only when it sent Basic credentials; a client
        # that sent wrong credentials is refused the same way whichever way it sent them.
        if body["error"] == "invalid_client":
            status = 401
        problem = {
            "type": f"urn:trustfund:problem:oauth-{body['error'].replace('_', '-')}",
            "title": _("Token refused"),
            "status": status,
            "detail": detail,
            "error": body["error"],
            "error_description": detail,
        }
        response = Response(json.dumps(problem), status=status, mimetype="application/problem+json")
        for name, value in headers:
            if name.lower() not in ("content-type",):
                response.headers[name] = value
        response.headers["Cache-Control"] = "no-store"
        return response


def _query_client(client_id: str) -> _Client | None:
    record = oauth.find_client(client_id)
    return _Client(record) if record is not None else None


def _save_token(token: dict[str, Any], oauth_request: Any) -> None:
    record: OAuthClient = oauth_request.client.record
    scopes = [TokenScope(name) for name in token.get("scope", "").split()]
    oauth.record_token(
        client=record,
        raw=token["access_token"],
        scopes=scopes,
        seconds=int(token["expires_in"]),
    )
    db.session.commit()


server = _Server(query_client=_query_client, save_token=_save_token)
server.register_grant(_ClientCredentials)
server.register_token_generator(
    "default",
    BearerTokenGenerator(
        access_token_generator=lambda **_kw: oauth.new_access_token(),
        expires_generator=lambda _client, _grant_type: oauth.DEFAULT_TOKEN_SECONDS,
    ),
)


def _client_key() -> str:
    """The limiter's key: the client the request names (Basic user or form), else its address."""
    named = request.authorization.username if request.authorization else None
    return f"oauth-client:{named or request.form.get('client_id') or request.remote_addr}"


TOKEN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
    },
}


@bp.post("/oauth/token")
@public
@limiter.limit(TOKEN_ENDPOINT_LIMIT, key_func=_client_key)
@documented(
    Operation(
        summary="A short-lived bearer token for an OAuth client (client credentials grant)",
        description="Authenticate with HTTP Basic (client id and secret) or with client_id and "
        "client_secret in the form. The token acts as the client's staff role or organisation, "
        "with the scopes asked for (by default all the client's), for an hour.",
        request={
            "type": "object",
            "required": ["grant_type"],
            "properties": {
                "grant_type": {"type": "string", "enum": ["client_credentials"]},
                "scope": {"type": "string"},
                "client_id": {"type": "string"},
                "client_secret": {"type": "string"},
            },
        },
        request_media_type="application/x-www-form-urlencoded",
        response=TOKEN_SCHEMA,
        problems=(400, 401),
    )
)
def oauth_token() -> Any:
    response = server.create_token_response()
    db.session.rollback()  # a refused request leaves nothing behind
    return response
