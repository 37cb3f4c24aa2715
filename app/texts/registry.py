"""The texts staff may edit, in one place: each one's key, what it is, the placeholders it may
use (with what each holds) and the sample values the preview shows.

The built-in wording of each text (used when no staff version is in force for a language) stays
where it always was, translated through the catalogs: the notification e-mails'
(app/notifications/web/messages.py) and the decision letter's (reviews/decision_letter.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.platform.errors import N_


class TextKind(StrEnum):
    EMAIL = "email"  # a subject and a plain-text body
    LETTER = "letter"  # a paragraph (or several) of a letter page: a body only


@dataclass(frozen=True)
class EditableText:
    key: str
    kind: TextKind
    title: str  # an English msgid (N_), translated by the page
    # placeholder name -> what it holds (an English msgid)
    placeholders: dict[str, str]
    sample: dict[str, str]
    # The notification kind (app/notifications/models.py) whose e-mail this text writes.
    notification_kind: str | None = None
    help: str = ""
    required: tuple[str, ...] = field(default=())

    @property
    def has_subject(self) -> bool:
        return self.kind == TextKind.EMAIL


_LINK = N_("the address of the page to open (always include it)")
_REFERENCE = N_("the application's reference, e.g. APP-00012")
_FUND = N_("the fund's short name")
_EMAIL_PLACEHOLDERS = {"reference": _REFERENCE, "link": _LINK, "fund": _FUND}


def _email_sample(path: str) -> dict[str, str]:
    return {"reference": "APP-00012", "link": f"https://fund.example.org{path}", "fund": "UNVTF"}


_LETTER_PLACEHOLDERS = {
    "reference": _REFERENCE,
    "title": N_("the project's title"),
    "organisation": N_("the organisation's name"),
    "call": N_("the call for proposals' title"),
    "meeting_date": N_("the date of the Board's meeting (YYYY-MM-DD)"),
}
_LETTER_SAMPLE = {
    "reference": "APP-00012",
    "title": "Safe shelter and legal aid",
    "organisation": "Safe Haven Initiative",
    "call": "Call for proposals 2027",
    "meeting_date": "2027-03-15",
}

TEXTS: tuple[EditableText, ...] = (
    EditableText(
        key="email.board_decision",
        kind=TextKind.EMAIL,
        title=N_("E-mail: the Board of Trustees has decided (approved, reserve or declined)"),
        placeholders=_EMAIL_PLACEHOLDERS,
        sample=_email_sample("/applications/12/decision-letter"),
        notification_kind="board_decision",
        help=N_("The link opens the decision letter. E-mails never carry the details of a case."),
        required=("link",),
    ),
    EditableText(
        key="email.application_received",
        kind=TextKind.EMAIL,
        title=N_("E-mail: the fund has received an application"),
        placeholders=_EMAIL_PLACEHOLDERS,
        sample=_email_sample("/applications/12"),
        notification_kind="application_received",
        required=("link",),
    ),
    EditableText(
        key="email.screening_outcome",
        kind=TextKind.EMAIL,
        title=N_("E-mail: an application has been screened"),
        placeholders=_EMAIL_PLACEHOLDERS,
        sample=_email_sample("/applications/12"),
        notification_kind="screening_outcome",
        required=("link",),
    ),
    EditableText(
        key="email.confirm_address",
        kind=TextKind.EMAIL,
        title=N_("E-mail: confirm your e-mail address (a new account)"),
        placeholders={
            "name": N_("the name the person registered with"),
            "link": N_("the confirmation link (always include it)"),
            "fund": N_("the fund's full name"),
        },
        sample={
            "name": "Amina Diallo",
            "link": "https://fund.example.org/auth/confirm/sample-token",
            "fund": "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons",
        },
        help=N_(
            "Sent in the language the person registered in. Without the link nobody can sign in."
        ),
        required=("link",),
    ),
    EditableText(
        key="email.invitation",
        kind=TextKind.EMAIL,
        title=N_("E-mail: an administrator has opened an account for someone (an invitation)"),
        placeholders={
            "name": N_("the invited person's name"),
            "inviter": N_("the name of the person who invited them"),
            "link": N_("the link to choose a password (always include it)"),
            "fund": N_("the fund's full name"),
            "fund_short": N_("the fund's short name"),
        },
        sample={
            "name": "Amina Diallo",
            "inviter": "Jean Martin",
            "link": "https://fund.example.org/auth/reset/sample-token",
            "fund": "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons",
            "fund_short": "UNVTF",
        },
        help=N_(
            "Sent in the language of the administrator's page. The link works for 3 days; "
            "without it the person cannot choose a password."
        ),
        required=("link",),
    ),
    EditableText(
        key="email.colleague_invitation",
        kind=TextKind.EMAIL,
        title=N_("E-mail: an organisation has added a colleague who has no account yet"),
        placeholders={
            "name": N_("the invited person's name"),
            "inviter": N_("the name of the person who invited them"),
            "organisation": N_("the organisation's name"),
            "link": N_("the link to choose a password (always include it)"),
            "fund": N_("the fund's full name"),
        },
        sample={
            "name": "Amina Diallo",
            "inviter": "Grace Okafor",
            "organisation": "Safe Haven Initiative",
            "link": "https://fund.example.org/auth/reset/sample-token",
            "fund": "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons",
        },
        help=N_("Sent in the language of the inviter's page. Without the link nobody can sign in."),
        required=("link",),
    ),
    EditableText(
        key="email.password_reset",
        kind=TextKind.EMAIL,
        title=N_("E-mail: reset your password"),
        placeholders={
            "name": N_("the account holder's name"),
            "link": N_("the link to choose a new password (always include it)"),
            "fund": N_("the fund's full name"),
        },
        sample={
            "name": "Amina Diallo",
            "link": "https://fund.example.org/auth/reset/sample-token",
            "fund": "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons",
        },
        help=N_(
            "Sent in the language of the page the reset was asked from. The link works for an "
            "hour; say so, and that nothing changes if the person did not ask."
        ),
        required=("link",),
    ),
    EditableText(
        key="letter.decision_declined",
        kind=TextKind.LETTER,
        title=N_("Decision letter: the paragraph telling that an application was declined"),
        placeholders=_LETTER_PLACEHOLDERS,
        sample=_LETTER_SAMPLE,
        help=N_("Plain text: a blank line starts a new paragraph. The feedback and scores follow."),
    ),
    EditableText(
        key="letter.decision_approved",
        kind=TextKind.LETTER,
        title=N_("Decision letter: the paragraph telling that an application was approved"),
        placeholders={**_LETTER_PLACEHOLDERS, "amount": N_("the amount approved, with currency")},
        sample={**_LETTER_SAMPLE, "amount": "USD 45,000.00"},
        help=N_("Plain text: a blank line starts a new paragraph. The conditions follow."),
    ),
    EditableText(
        key="agreement.closure",
        kind=TextKind.LETTER,
        title=N_("Grant agreement: section 7, unspent funds and closure"),
        placeholders={
            "reference": N_("the grant's reference, e.g. GR-2027-0003"),
            "grantee": N_("the grantee's legal name"),
            "fund": N_("the fund's full name"),
        },
        sample={
            "reference": "GR-2027-0003",
            "grantee": "Safe Haven Initiative",
            "fund": "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons",
        },
        help=N_(
            "Plain text. The version in force when the agreement is sent is part of the terms "
            "the grantee accepts (their fingerprint); a later version changes only agreements "
            "sent later."
        ),
    ),
)

AGREEMENT_CLOSURE = "agreement.closure"

BY_KEY: dict[str, EditableText] = {text.key: text for text in TEXTS}
BY_NOTIFICATION: dict[str, EditableText] = {
    text.notification_kind: text for text in TEXTS if text.notification_kind
}


def editable(key: str) -> EditableText | None:
    return BY_KEY.get(key)
