"""Error reports to Sentry, only when SENTRY_DSN is set, and never with personal data.

``send_default_pii=False`` keeps out the user's address, e-mail and name; ``without_personal_data``
also drops what Sentry would still send of the request (its body, cookies and the headers that
carry a session or a token) and anything logged alongside, whose text may name someone. What is
left is the error, where it happened, the request's route and the request id of the log lines.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.platform.logging import current_request_id

# Request headers that identify or authenticate someone.
_PRIVATE_HEADERS = frozenset({"cookie", "authorization", "x-forwarded-for", "x-real-ip"})


def without_personal_data(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's before_send: strip request bodies, cookies, private headers and log text."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("query_string", None)  # e-mailed links carry tokens there
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in _PRIVATE_HEADERS
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    # Breadcrumbs are earlier log lines and queries: their text may hold anything.
    event.pop("breadcrumbs", None)
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def install_error_reports(app: Flask) -> bool:
    """Start the Sentry SDK when SENTRY_DSN is set; True if it was started."""
    dsn = str(app.config.get("SENTRY_DSN") or "")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=str(app.config.get("APP_ENV") or "production"),
        send_default_pii=False,
        before_send=without_personal_data,  # type: ignore[arg-type]
        max_request_body_size="never",
        traces_sample_rate=float(app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
        integrations=[FlaskIntegration(), CeleryIntegration()],
    )
    return True
