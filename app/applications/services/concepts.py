"""Stage one of a two-stage call (decision 0115): the NGO's concept note, submitted by the
concept deadline; the fund invites a full proposal or declines with a reason, and the
organisation is told. Stage two (the full proposal) is the ordinary application, which only an
invited application may complete and submit (``workflow.ensure_invited``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.applications.models import Application, ApplicationStatus, ConceptNote, ConceptStatus
from app.applications.services.checks import Problem, clean_codes, clean_countries
from app.applications.services.versions import flush_or_conflict
from app.applications.workflow import CONCEPT_WORKFLOW
from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all, organisation_staff
from app.platform.categories import FormOfExploitation
from app.platform.db import utcnow
from app.platform.errors import N_, InvalidTransition, PermissionDenied, ValidationFailed

# A concept note is short: the summary's limit in words (the full proposal has its own sections).
CONCEPT_WORD_LIMIT = 500
MAX_REASON = 2000
_WORD = re.compile(r"\S+")


@dataclass
class ConceptNoteData:
    title: str
    summary: str
    countries: Sequence[str]
    forms_of_exploitation: Sequence[str]
    indicative_amount: int | None  # minor units of the application's currency


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def _deadline(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def concept_problems(application: Application) -> list[Problem]:
    """What the concept note still lacks, in the order the form shows its fields."""
    note = application.concept_note
    if note is None:
        return [Problem(N_("Write the concept note first."))]
    problems: list[Problem] = []
    if not note.title.strip():
        problems.append(Problem(N_("Give the project a title.")))
    if not note.summary.strip():
        problems.append(Problem(N_("Summarise the idea of the project.")))
    if not note.countries:
        problems.append(Problem(N_("Choose at least one country where the project takes place.")))
    if not note.forms_of_exploitation:
        problems.append(Problem(N_("Choose at least one form of exploitation addressed.")))
    if note.indicative_amount <= 0:
        problems.append(Problem(N_("Give an indicative amount.")))
    return problems


def concept_field_problems(
    application: Application, data: ConceptNoteData, *, sending: bool
) -> dict[str, list[Problem]]:
    """Everything wrong with the typed concept note at once, by form field: what saving refuses,
    and when ``sending``, what is still missing (so the form shows every error together)."""
    call = application.call
    found: dict[str, list[Problem]] = {}

    def add(name: str, message: str, **params: object) -> None:
        found.setdefault(name, []).append(Problem(message, dict(params)))

    words = word_count(data.summary)
    if words > CONCEPT_WORD_LIMIT:
        add(
            "summary",
            N_("The summary has %(count)s words; a concept note has at most %(limit)s."),
            count=words,
            limit=CONCEPT_WORD_LIMIT,
        )
    amount = data.indicative_amount or 0
    if amount < 0:
        add("indicative_amount", N_("The indicative amount cannot be negative."))
    elif amount > call.max_amount:
        add(
            "indicative_amount", N_("The indicative amount is more than this call's largest grant.")
        )
    countries = clean_countries(data.countries)
    eligible = set(call.eligible_countries)
    outside = [code for code in countries if eligible and code not in eligible]
    if outside:
        add(
            "countries",
            N_("This call does not fund projects in: %(codes)s."),
            codes=", ".join(outside),
        )
    if sending:
        if not data.title.strip():
            add("title", N_("Give the project a title."))
        if not data.summary.strip():
            add("summary", N_("Summarise the idea of the project."))
        if not countries:
            add("countries", N_("Choose at least one country where the project takes place."))
        if not clean_codes(data.forms_of_exploitation, FormOfExploitation):
            add("forms_of_exploitation", N_("Choose at least one form of exploitation addressed."))
        if amount == 0:
            add("indicative_amount", N_("Give an indicative amount."))
    return found


def _note_of(application: Application) -> ConceptNote:
    if application.concept_note is None:
        raise InvalidTransition(N_("This application has no concept note yet."))
    return application.concept_note


def _ensure_member(actor: User, application: Application) -> None:
    ensure_permission(actor, Permission.APPLY_FOR_GRANT)
    if not is_member(actor, application.organisation_id):
        raise PermissionDenied(N_("Only the organisation's own staff can do this."))


def save_concept_note(
    *, actor: User, application: Application, data: ConceptNoteData
) -> ConceptNote:
    """Write or change the concept note while it is a draft (the first save creates it)."""
    _ensure_member(actor, application)
    call = application.call
    if not call.is_two_stage:
        raise InvalidTransition(N_("This call has one stage: it takes no concept note."))
    note = application.concept_note
    if application.status != ApplicationStatus.DRAFT or (note is not None and not note.is_editable):
        raise InvalidTransition(N_("The concept note has been sent: it can no longer be changed."))
    words = word_count(data.summary)
    if words > CONCEPT_WORD_LIMIT:
        raise ValidationFailed(
            N_("The summary has %(count)s words; a concept note has at most %(limit)s."),
            count=words,
            limit=CONCEPT_WORD_LIMIT,
        )
    amount = data.indicative_amount or 0
    if amount < 0:
        raise ValidationFailed(N_("The indicative amount cannot be negative."))
    if amount > call.max_amount:
        raise ValidationFailed(
            N_("The indicative amount is more than this call's largest grant."),
        )
    countries = clean_countries(data.countries)
    eligible = set(call.eligible_countries)
    outside = [code for code in countries if eligible and code not in eligible]
    if outside:
        raise ValidationFailed(
            N_("This call does not fund projects in: %(codes)s."), codes=", ".join(outside)
        )
    if note is None:
        note = ConceptNote(status=ConceptStatus.DRAFT)
        application.concept_note = note
    note.title = data.title.strip()[:300]
    note.summary = data.summary.strip()
    note.countries = countries
    note.forms_of_exploitation = clean_codes(data.forms_of_exploitation, FormOfExploitation)
    note.indicative_amount = amount
    application.updated_at = utcnow()
    application.updated_by_id = actor.id
    flush_or_conflict(application)
    record_event(
        actor=actor,
        action="application.concept_note_saved",
        subject=application,
        summary="concept note saved",
    )
    return note


def submit_concept_note(
    *, actor: User, application: Application, now: datetime | None = None
) -> ConceptNote:
    """Send the concept note to the fund by the concept deadline (judged here, in UTC)."""
    now = now or utcnow()
    _ensure_member(actor, application)
    call = application.call
    if not call.is_two_stage or call.concept_closes_at is None:
        raise InvalidTransition(N_("This call has one stage: it takes no concept note."))
    if application.concept_note is None:
        raise ValidationFailed(N_("Write the concept note first."))
    if now >= call.concept_closes_at:
        raise ValidationFailed(
            N_(
                "Concept notes for this call were due by %(deadline)s UTC. A concept note "
                "cannot be sent after that deadline."
            ),
            deadline=_deadline(call.concept_closes_at),
        )
    if not call.is_open_at(now):
        raise ValidationFailed(N_("This call is not open for applications."))
    if application.status != ApplicationStatus.DRAFT:
        raise InvalidTransition(N_("This application is no longer a draft."))
    CONCEPT_WORKFLOW.transition(application, ConceptStatus.SUBMITTED, actor=actor)
    note = application.concept_note
    assert note is not None
    note.submitted_at = now
    application.updated_by_id = actor.id
    flush_or_conflict(application)
    return note


def _tell_organisation(application: Application) -> None:
    notify_all(
        organisation_staff(application.organisation_id),
        kind=NotificationKind.CONCEPT_NOTE_OUTCOME,
        link=link_to("applications.show", application_id=application.id),
        params={"reference": application.reference},
    )


def invite_full_proposal(
    *, actor: User, application: Application, now: datetime | None = None
) -> ConceptNote:
    """The fund manager invites a full proposal on a submitted concept note; the full proposal
    starts from the note's title, summary, countries and forms of exploitation."""
    now = now or utcnow()
    ensure_permission(actor, Permission.SCREEN_APPLICATION)
    _note_of(application)
    call = application.call
    if now >= call.closes_at:
        raise ValidationFailed(
            N_(
                "Full proposals for this call were due by %(deadline)s UTC: it is too late to "
                "invite one."
            ),
            deadline=_deadline(call.closes_at),
        )
    CONCEPT_WORKFLOW.transition(application, ConceptStatus.INVITED, actor=actor)
    note = application.concept_note
    assert note is not None
    note.decided_at = now
    note.decided_by_id = actor.id
    application.title = application.title or note.title
    application.summary = application.summary or note.summary
    application.countries = list(application.countries) or list(note.countries)
    application.forms_of_exploitation = list(application.forms_of_exploitation) or list(
        note.forms_of_exploitation
    )
    flush_or_conflict(application)
    _tell_organisation(application)
    return note


def decline_concept_note(
    *, actor: User, application: Application, reason: str, now: datetime | None = None
) -> ConceptNote:
    """The fund manager declines a submitted concept note, saying why (the NGO reads it)."""
    ensure_permission(actor, Permission.SCREEN_APPLICATION)
    _note_of(application)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why the concept note is declined."))
    if len(reason) > MAX_REASON:
        raise ValidationFailed(N_("The reason is too long."))
    CONCEPT_WORKFLOW.transition(
        application, ConceptStatus.DECLINED, actor=actor, reason=reason[:200]
    )
    note = application.concept_note
    assert note is not None
    note.decided_at = now or utcnow()
    note.decided_by_id = actor.id
    note.decline_reason = reason
    flush_or_conflict(application)
    _tell_organisation(application)
    return note
