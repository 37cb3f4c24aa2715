"""Running calls for proposals: create, edit, publish, close; the public list of calls.

Window caps and durations default to the GRANT_WINDOWS setting; each call keeps its own copy,
so changing the setting never changes a call already announced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.calls.models import Call, CallStatus, RubricCriterion, WindowKind
from app.calls.workflow import CALL_WORKFLOW
from app.platform.categories import DocumentKind, FormOfExploitation, Situation, Theme
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, InvalidTransition, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings

# Languages a proposal may be written in: the six official UN languages.
PROPOSAL_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: Decimal
    description: str = ""


@dataclass
class CallDetails:
    """Everything a fund manager sets on a call; caps left as None take the window's defaults."""

    reference: str
    window: WindowKind
    title: dict[str, str]
    description: dict[str, str]
    opens_at: datetime
    closes_at: datetime
    timezone: str
    envelope: int
    currency: str = "USD"
    max_amount: int | None = None
    max_duration_months: int | None = None
    eligible_countries: Sequence[str] = ()
    situations: Sequence[str] = ()
    themes: Sequence[str] = ()
    forms_of_exploitation: Sequence[str] = ()
    required_documents: Mapping[str, int] = field(default_factory=dict)
    languages: Sequence[str] = ("en", "fr", "es")
    criteria: Sequence[Criterion] = ()
    # Set for a two-stage call: concept notes are due by it, full proposals by ``closes_at``.
    concept_closes_at: datetime | None = None


def window_defaults(window: WindowKind) -> tuple[int, int]:
    """(max amount in minor units of the functional currency, max duration in months)."""
    spec = settings().calls.grant_windows[window.value]
    return spec.max_amount, spec.max_duration_months


def default_required_documents() -> dict[str, int]:
    return dict(settings().calls.required_documents)


def _codes(values: Iterable[str], vocabulary: type[StrEnum], what: str) -> list[str]:
    allowed = {member.value for member in vocabulary}
    chosen = list(dict.fromkeys(values))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise ValidationFailed(
            N_("Unknown %(what)s: %(codes)s."), what=what, codes=", ".join(unknown)
        )
    return chosen


def _clean_texts(texts: Mapping[str, str]) -> dict[str, str]:
    return {locale: text.strip() for locale, text in texts.items() if text and text.strip()}


def _validate(details: CallDetails) -> dict[str, Any]:
    """Check a call's details and return the column values to store (each check refuses with
    the first problem it finds, in the order the form shows the fields)."""
    reference = details.reference.strip()
    if not reference:
        raise ValidationFailed(N_("Give the call a reference."))
    _check_dates(details)
    currency = details.currency.strip().upper()
    if not _CURRENCY.match(currency):
        raise ValidationFailed(N_("%(currency)s is not a currency code."), currency=currency)
    max_amount, max_duration = _limits(details)
    countries = _eligible_countries(details)
    documents = _required_documents(details)
    languages = _languages(details)
    _check_criteria(details)
    return {
        "reference": reference,
        "window": details.window,
        "title": _clean_texts(details.title),
        "description": _clean_texts(details.description),
        "opens_at": details.opens_at,
        "closes_at": details.closes_at,
        "concept_closes_at": details.concept_closes_at,
        "timezone": details.timezone,
        "currency": currency,
        "envelope": details.envelope,
        "max_amount": max_amount,
        "max_duration_months": max_duration,
        "eligible_countries": sorted(set(countries)),
        "situations": _codes(details.situations, Situation, "situation"),
        "themes": _codes(details.themes, Theme, "theme"),
        "forms_of_exploitation": _codes(
            details.forms_of_exploitation, FormOfExploitation, "form of exploitation"
        ),
        "required_documents": documents,
        "languages": languages,
    }


def _check_dates(details: CallDetails) -> None:
    if details.opens_at.tzinfo is None or details.closes_at.tzinfo is None:
        raise ValidationFailed(N_("Opening and closing times need a time zone."))
    if details.closes_at <= details.opens_at:
        raise ValidationFailed(N_("The call must close after it opens."))
    concept = details.concept_closes_at
    if concept is not None:
        if concept.tzinfo is None:
            raise ValidationFailed(N_("Opening and closing times need a time zone."))
        if not details.opens_at < concept < details.closes_at:
            raise ValidationFailed(
                N_(
                    "The concept-note deadline must fall after the call opens and before the "
                    "full-proposal deadline."
                )
            )
    try:
        ZoneInfo(details.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(N_("%(zone)s is not a time zone."), zone=details.timezone)


def _limits(details: CallDetails) -> tuple[int, int]:
    """The largest grant and the longest duration: the window's defaults unless given."""
    default_amount, default_duration = window_defaults(details.window)
    max_amount = default_amount if details.max_amount is None else details.max_amount
    max_duration = (
        default_duration if details.max_duration_months is None else details.max_duration_months
    )
    if max_amount <= 0:
        raise ValidationFailed(N_("The maximum grant must be more than zero."))
    if max_duration <= 0:
        raise ValidationFailed(N_("The maximum duration must be at least one month."))
    if details.envelope < 0:
        raise ValidationFailed(N_("The envelope cannot be negative."))
    return max_amount, max_duration


def _eligible_countries(details: CallDetails) -> list[str]:
    countries = [c.strip().upper() for c in details.eligible_countries if c.strip()]
    bad = [c for c in countries if not _COUNTRY.match(c)]
    if bad:
        raise ValidationFailed(N_("Unknown countries: %(codes)s."), codes=", ".join(bad))
    return countries


def _required_documents(details: CallDetails) -> dict[str, int]:
    documents = {}
    kinds = {kind.value for kind in DocumentKind}
    for kind, count in details.required_documents.items():
        if kind not in kinds:
            raise ValidationFailed(N_("Unknown document kind: %(kind)s."), kind=kind)
        if count < 0 or count > 10:
            raise ValidationFailed(N_("Ask for between 0 and 10 documents of each kind."))
        if count:
            documents[kind] = int(count)
    return documents


def _languages(details: CallDetails) -> list[str]:
    languages = list(dict.fromkeys(details.languages))
    unknown = [code for code in languages if code not in PROPOSAL_LANGUAGES]
    if unknown:
        raise ValidationFailed(N_("Unknown languages: %(codes)s."), codes=", ".join(unknown))
    return languages


def _check_criteria(details: CallDetails) -> None:
    for criterion in details.criteria:
        if not criterion.name.strip():
            raise ValidationFailed(N_("Every scoring criterion needs a name."))
        if criterion.weight <= 0:
            raise ValidationFailed(
                N_("The weight of %(criterion)s must be more than zero."), criterion=criterion.name
            )


def _ensure_reference_free(reference: str, call_id: int | None) -> None:
    taken = db.session.execute(
        select(Call.id).where(Call.reference == reference)
    ).scalar_one_or_none()
    if taken is not None and taken != call_id:
        raise Conflict(N_("Another call already uses the reference %(ref)s."), ref=reference)


def _set_criteria(call: Call, criteria: Sequence[Criterion]) -> None:
    # Update rows in place so (call, position) stays unique while the flush runs.
    for position, spec in enumerate(criteria):
        if position < len(call.criteria):
            row = call.criteria[position]
        else:
            row = RubricCriterion(position=position)
            call.criteria.append(row)
        row.name = spec.name.strip()
        row.description = spec.description.strip()
        row.weight = spec.weight
    del call.criteria[len(criteria) :]


def create_call(*, actor: User, details: CallDetails) -> Call:
    """A fund manager drafts a call; caps default to the window's (GRANT_WINDOWS)."""
    ensure_permission(actor, Permission.MANAGE_CALLS)
    values = _validate(details)
    _ensure_reference_free(values["reference"], None)
    call = Call(status=CallStatus.DRAFT, created_by_id=actor.id, **values)
    _set_criteria(call, details.criteria)
    db.session.add(call)
    db.session.flush()
    record_event(
        actor=actor, action="call.created", subject=call, summary=f"call {call.reference} drafted"
    )
    return call


def update_call(*, actor: User, call: Call, details: CallDetails) -> Call:
    """Edit a draft or published call; a closed call is a record of what was announced."""
    ensure_permission(actor, Permission.MANAGE_CALLS)
    if not call.is_editable:
        raise InvalidTransition(N_("A closed call cannot be edited."))
    values = _validate(details)
    _ensure_reference_free(values["reference"], call.id)
    if call.status != CallStatus.DRAFT and call.is_two_stage != (
        values["concept_closes_at"] is not None
    ):
        # Applicants prepare for the stages announced (decision 0115).
        raise ValidationFailed(N_("A published call cannot change between one and two stages."))
    changes: dict[str, Any] = {}
    for attr, value in values.items():
        before = getattr(call, attr)
        if before != value:
            changes[attr] = [_jsonable(before), _jsonable(value)]
            setattr(call, attr, value)
    before_criteria = [c.as_dict() for c in call.criteria]
    _set_criteria(call, details.criteria)
    after_criteria = [c.as_dict() for c in call.criteria]
    if before_criteria != after_criteria:
        changes["criteria"] = [before_criteria, after_criteria]
    db.session.flush()
    if changes:
        record_event(
            actor=actor,
            action="call.updated",
            subject=call,
            summary=f"call {call.reference} edited",
            changes=changes,
        )
    return call


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def publish_call(*, actor: User, call: Call) -> Call:
    CALL_WORKFLOW.transition(call, CallStatus.PUBLISHED, actor=actor)
    call.published_at = utcnow()
    db.session.flush()
    return call


def close_call(*, actor: User, call: Call) -> Call:
    CALL_WORKFLOW.transition(call, CallStatus.CLOSED, actor=actor)
    db.session.flush()
    return call


def decide_call(*, actor: User, call: Call) -> Call:
    CALL_WORKFLOW.transition(call, CallStatus.DECIDED, actor=actor)
    db.session.flush()
    return call


# --- queries -----------------------------------------------------------------------------


def public_calls(*, now: datetime | None = None, include_closed: bool = False) -> list[Call]:
    """Calls anyone may see: open or upcoming ones first by deadline; closed ones on request."""
    now = now or utcnow()
    query = select(Call).where(Call.status != CallStatus.DRAFT)
    if not include_closed:
        query = query.where(Call.status == CallStatus.PUBLISHED, Call.closes_at > now)
    return list(db.session.execute(query.order_by(Call.closes_at, Call.id)).scalars())
