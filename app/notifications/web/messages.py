"""What each kind of notification says, in the reader's language: one sentence and a subject.

The sentences carry references only (APP-00012, a date): never a title, an organisation, an
amount or anything else from the case (DESIGN.md §6).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.notifications.models import NotificationKind as K


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
        K.NOTE_MENTION: _("A colleague mentioned you in an internal note"),
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
    if kind == K.NOTE_MENTION:
        return _note_mention(str(params.get("subject", "")), ref)
    if ref:
        return _("Something needs your attention: %(ref)s.", ref=ref)
    return _("Something needs your attention.")


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
