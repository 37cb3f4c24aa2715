"""Absolute links for e-mails, receipts and the API, from PUBLIC_BASE_URL, never the request.

The Host header is chosen by whoever sends the request: a link built from it (Flask's
``url_for(..., _external=True)``) lets an attacker ask for a victim's password reset and
receive the victim's token at their own site.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def absolute_url(path: str) -> str:
    """``path`` (as ``url_for`` or ``link_to`` make it) on the site's public address."""
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return base + "/" + path.lstrip("/")


def page_path(endpoint: str, **values: Any) -> str:
    """The path of a page, without a request (a rule's notice link, a CLI command's), installed
    in app/platform/links.py for the business rules by app/bootstrap.py."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return str(adapter.build(endpoint, values))


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of a page, for anything that leaves the request (e-mails, JSON)."""
    # Bound to no request: the path alone, whatever host or script name the request had.
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return absolute_url(adapter.build(endpoint, values))
