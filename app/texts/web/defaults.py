"""The built-in wording of each editable text, written as a template with its placeholders: what
the edit form starts from when no staff version is in force for the language. Made from the
same translated sentences the app sends, so a first version differs only where staff change it.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.notifications.models import NotificationKind
from app.notifications.web.messages import sentence, subject
from app.texts.registry import EditableText
from app.texts.rendering import tag


def built_in(text: EditableText, locale: str) -> tuple[str, str]:
    """(subject, body) of the built-in wording in ``locale``, placeholders as ``{{ name }}``."""
    with force_locale(locale):
        if text.notification_kind is not None:
            kind = NotificationKind(text.notification_kind)
            body = _(
                "%(sentence)s\n\nOpen it here (sign in if asked):\n%(link)s\n\n"
                "For confidentiality, e-mails from %(fund)s never include the details of a "
                "case.\n",
                sentence=sentence(kind, {"reference": tag("reference")}),
                link=tag("link"),
                fund=tag("fund"),
            )
            return subject(kind), body
        if text.key == "email.confirm_address":
            return _("Confirm your e-mail address"), _(
                "Welcome to %(fund)s.\n\nPlease confirm your e-mail address by opening this "
                "link:\n%(link)s\n\nIf you did not create an account, ignore this message.",
                fund=tag("fund"),
                link=tag("link"),
            )
        if text.key == "email.invitation":
            return _("You are invited to %(fund)s", fund=tag("fund_short")), _(
                "%(inviter)s has opened an account for you on %(fund)s.\n\n"
                "Choose your password within 3 days with this link:\n%(link)s\n",
                inviter=tag("inviter"),
                fund=tag("fund"),
                link=tag("link"),
            )
        if text.key == "email.colleague_invitation":
            return _(
                "You have been added to %(organisation)s", organisation=tag("organisation")
            ), _(
                "%(inviter)s has added you to %(organisation)s on %(fund)s.\n\n"
                "Choose your password with this link:\n%(link)s\n",
                inviter=tag("inviter"),
                organisation=tag("organisation"),
                fund=tag("fund"),
                link=tag("link"),
            )
        if text.key == "email.password_reset":
            return _("Reset your password"), _(
                "Someone asked to reset the password of your account.\n\n"
                "To choose a new password, open this link within an hour:\n%(link)s\n\n"
                "If it was not you, ignore this message: your password stays the same.",
                link=tag("link"),
            )
        if text.key == "agreement.closure":
            return "", _(
                "Money paid but not spent on the project is returned to the Fund at closure. The "
                "Fund may suspend payments when reports are overdue or the terms are not met."
            )
        if text.key == "letter.decision_approved":
            return "", "\n\n".join(
                (
                    _(
                        "We are pleased to tell you that the Board of Trustees approved your "
                        "application at its meeting of %(day)s, for a grant of %(amount)s.",
                        day=tag("meeting_date"),
                        amount=tag("amount"),
                    ),
                    _(
                        "The fund will send you the grant agreement to accept. The programme "
                        "support cost is added on top of the amount approved."
                    ),
                )
            )
        if text.key == "letter.decision_declined":
            return "", _(
                "We regret to tell you that the Board of Trustees did not select your "
                "application at its meeting of %(day)s. Many more proposals are received than "
                "the fund can support.",
                day=tag("meeting_date"),
            )
    current_app.logger.warning("no built-in wording for text %s", text.key)
    return "", ""
