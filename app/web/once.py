"""Forms that create money records are sent once: a hidden one-time key
(app/platform/submissions.py).

A form class inherits ``OnceForm``; its template renders ``form.form_key``; its route asks
``earlier_record`` before creating anything (an id: answer ``already_sent`` with that record,
created by an earlier post of this very form) and calls ``remember_record`` with what it
created, before the commit.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from app.accounts.models import User
from app.platform.submissions import (
    claim_form_key,
    is_form_key,
    new_form_key,
    remember_form_record,
)


class OnceForm(FlaskForm):
    form_key = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A page shown (or shown again with its errors) keeps the key it was posted with; a
        # post without one (an old page, a script) gets a fresh key and is simply not deduplicated.
        if not is_form_key(self.form_key.data):
            self.form_key.data = new_form_key()


def earlier_record(form: OnceForm, kind: str) -> int | None:
    """The id of the record an earlier post of this form created, or None (this post goes on)."""
    user_id = current_user.id if isinstance(current_user, User) else None
    return claim_form_key(key=str(form.form_key.data), form=kind, user_id=user_id)


def remember_record(form: OnceForm, record_id: int) -> None:
    remember_form_record(key=str(form.form_key.data), record_id=record_id)


def already_sent(endpoint: str, **values: Any) -> Any:
    """The answer to a second post of a form: the record its first post created."""
    flash(
        _("This form was already sent, and nothing new was recorded: here is what it recorded."),
        "info",
    )
    return redirect(url_for(endpoint, **values))
