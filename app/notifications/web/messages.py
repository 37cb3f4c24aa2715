"""What each kind of notification says, in the reader's language: one sentence and a subject.

The sentences carry references only (APP-00012, a date): never a title, an organisation, an
amount or anything else from the case (DESIGN.md §6).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.notifications.models import NotificationKind as K
from app.web.display import money


def subject(kind: K) -> str:
    subjects = {
        K.REVIEW_ASSIGNED: _("A review is waiting for you"),
        K.REVIEW_REMINDER: _("Reminder: a review is due"),
        K.REVIEWER_RECUSED: _("A reviewer declared a conflict of interest"),
        K.REVIEWS_COMPLETE: _("Every review of an application is in"),
        K.BOARD_PACK_READY: _("A Board pack is ready"),
        K.INFORMATION_REQUESTED: _("The fund has a question about your application"),
        K.SCREENING_OUTCOME: _("Your application has been screened"),
        K.BOARD_DECISION: _("The Board of Trustees has decided on your application"),
        K.CONCEPT_NOTE_OUTCOME: _("The fund has screened your concept note"),
        K.MONITORING_RECOMMENDATION: _("The fund asks your organisation to act on a grant"),
        K.MONITORING_ANSWER: _("A grantee has answered a recommendation"),
        K.NOTE_MENTION: _("A colleague mentioned you in an internal note"),
        K.VERIFICATION_REQUESTED: _("An organisation asks to be verified"),
        K.VERIFICATION_OUTCOME: _("The fund has checked your organisation's file"),
        K.APPLICATION_SUBMITTED: _("An application waits for screening"),
        K.APPLICATION_RECEIVED: _("The fund has received your application"),
        K.AGREEMENT_SENT: _("A grant agreement is ready for you to sign"),
        K.AGREEMENT_ACCEPTED: _("A grant agreement has been accepted"),
        K.GRANT_UPDATED: _("There is news about your grant"),
        K.TRANCHE_PAID: _("A payment of your grant has been made"),
        K.BANK_CHANGE_PROPOSED: _("New bank details wait for confirmation"),
        K.BANK_CHANGE_CONFIRMED: _("Your organisation's bank details have changed"),
        K.BANK_CHANGE_REJECTED: _("A change of your organisation's bank details was rejected"),
        K.RESTRICTED_MONEY_EXPIRING: _("Restricted money will soon be unusable"),
        K.ATTENTION_NEEDED: _("Something needs your attention"),
    }
    return subjects.get(kind, subjects[K.ATTENTION_NEEDED])


def sentence(kind: K, params: dict[str, Any]) -> str:
    ref = str(params.get("reference", ""))
    due = str(params.get("due_on", ""))
    if kind == K.REVIEW_ASSIGNED:
        return _(
            "You are asked to review application %(ref)s by %(due)s. First declare whether you "
            "have a conflict of interest.",
            ref=ref,
            due=due,
        )
    if kind == K.REVIEW_REMINDER:
        if params.get("overdue"):
            return _("Your review of application %(ref)s was due on %(due)s.", ref=ref, due=due)
        return _("Your review of application %(ref)s is due on %(due)s.", ref=ref, due=due)
    if kind == K.REVIEWER_RECUSED:
        return _(
            "A reviewer of application %(ref)s declared a conflict of interest; ask someone else.",
            ref=ref,
        )
    if kind == K.REVIEWS_COMPLETE:
        return _("Every review of application %(ref)s is submitted.", ref=ref)
    if kind == K.BOARD_PACK_READY:
        return _("The Board pack for call %(ref)s is ready to read.", ref=ref)
    if kind == K.INFORMATION_REQUESTED:
        return _("The fund has a question about your application %(ref)s.", ref=ref)
    if kind == K.SCREENING_OUTCOME:
        return _("The eligibility check of your application %(ref)s is complete.", ref=ref)
    if kind == K.BOARD_DECISION:
        return _("The Board of Trustees has decided on your application %(ref)s.", ref=ref)
    if kind == K.CONCEPT_NOTE_OUTCOME:
        return _(
            "The fund has screened the concept note of your application %(ref)s: read its "
            "answer on the application's page.",
            ref=ref,
        )
    if kind in (K.MONITORING_RECOMMENDATION, K.MONITORING_ANSWER):
        return _monitoring(kind, ref)
    if kind == K.NOTE_MENTION:
        return _note_mention(str(params.get("subject", "")), ref)
    if kind in (K.BANK_CHANGE_PROPOSED, K.BANK_CHANGE_CONFIRMED, K.BANK_CHANGE_REJECTED):
        return _bank_change(kind, ref)
    if kind == K.RESTRICTED_MONEY_EXPIRING:
        return _restricted_expiring(ref, due, params)
    handoff = _handoff(kind, ref)
    if handoff is not None:
        return handoff
    if ref:
        return _("Something needs your attention: %(ref)s.", ref=ref)
    return _("Something needs your attention.")


def _monitoring(kind: K, ref: str) -> str:
    if kind == K.MONITORING_RECOMMENDATION:
        return _(
            "The fund asks your organisation to act on a recommendation about grant %(ref)s: "
            "read it, and say what you did by its due date.",
            ref=ref,
        )
    return _(
        "The grantee of grant %(ref)s has answered a recommendation: close it or reopen it.",
        ref=ref,
    )


def _restricted_expiring(ref: str, due: str, params: dict[str, Any]) -> str:
    """Finance: the pledge's number, the money left and the end date only (no donor's name)."""
    left = money(int(params.get("amount", 0)), str(params.get("currency", "")))
    return _(
        "%(amount)s of the restricted money of pledge no. %(ref)s is still unspent, and it may "
        "fund only grants awarded by %(due)s.",
        amount=left,
        ref=ref,
        due=due,
    )


def _handoff(kind: K, ref: str) -> str | None:
    """The sentences of the hand-offs declared in app/handoffs.py."""
    if kind == K.VERIFICATION_REQUESTED:
        return _("Organisation no. %(ref)s asks to be verified.", ref=ref)
    if kind == K.VERIFICATION_OUTCOME:
        return _("The fund has checked the file of your organisation no. %(ref)s.", ref=ref)
    if kind == K.APPLICATION_SUBMITTED:
        return _("Application %(ref)s has been submitted and waits for screening.", ref=ref)
    if kind == K.APPLICATION_RECEIVED:
        return _("The fund has received your application %(ref)s.", ref=ref)
    if kind == K.AGREEMENT_SENT:
        return _("The agreement of grant %(ref)s is ready for you to read and accept.", ref=ref)
    if kind == K.AGREEMENT_ACCEPTED:
        return _("The grantee has accepted the agreement of grant %(ref)s.", ref=ref)
    if kind == K.GRANT_UPDATED:
        return _("There is news about your grant %(ref)s.", ref=ref)
    if kind == K.TRANCHE_PAID:
        return _("A payment of your grant %(ref)s has been made.", ref=ref)
    return None


def _bank_change(kind: K, ref: str) -> str:
    if kind == K.BANK_CHANGE_PROPOSED:
        return _(
            "New bank details of organisation no. %(ref)s wait for a second person of the fund "
            "to confirm or reject them.",
            ref=ref,
        )
    if kind == K.BANK_CHANGE_CONFIRMED:
        return _(
            "The fund has confirmed new bank details for your organisation no. %(ref)s: grants "
            "will be paid into that account. If nobody in your organisation asked for this "
            "change, tell the fund at once.",
            ref=ref,
        )
    return _(
        "The fund has rejected the new bank details proposed for your organisation no. "
        "%(ref)s; the organisation page says why.",
        ref=ref,
    )


def _note_mention(subject_kind: str, ref: str) -> str:
    if subject_kind == "organisation":
        return _(
            "A colleague mentioned you in an internal note on organisation no. %(ref)s.", ref=ref
        )
    if subject_kind == "grant":
        return _("A colleague mentioned you in an internal note on grant %(ref)s.", ref=ref)
    if subject_kind == "pledge":
        return _("A colleague mentioned you in an internal note on pledge no. %(ref)s.", ref=ref)
    return _("A colleague mentioned you in an internal note on application %(ref)s.", ref=ref)
