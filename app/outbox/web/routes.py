"""/dev/mail: what the app would have mailed, with its links to click (development only).

Only in development and only while no MAIL_SERVER is set (app/platform/mail.py keeps the messages):
anywhere else the page does not exist (404). It is public because the person who needs it
most, a new account confirming its address, is not signed in yet.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, render_template

from app.platform.mail import dev_mailbox_enabled, dev_mailbox_messages
from app.web.access import public

bp = Blueprint("dev_mail", __name__, template_folder="../templates", url_prefix="/dev/mail")

_LINK = re.compile(r"(https?://\S+)")


def lines(body: str) -> list[list[tuple[str, bool]]]:
    """The body line by line, each as (text, is_link) pieces, so the links can be clicked."""
    return [
        [(part, index % 2 == 1) for index, part in enumerate(_LINK.split(line)) if part]
        for line in body.splitlines()
    ]


@bp.app_context_processor
def _dev_mailbox() -> dict[str, Any]:
    """Pages that say "check your e-mail" point to the mailbox in development."""
    return {"dev_mailbox_on": dev_mailbox_enabled()}


@bp.get("/")
@public
def index() -> Any:
    if not dev_mailbox_enabled():
        abort(404)
    return render_template("dev_mail/index.html", messages=dev_mailbox_messages(), lines=lines)
