"""The search itself: one query per kind of record, each limited to what the reader may see.

Every word of the query must occur (folded, see text.py) in the record's searchable text, or,
for a word that names a country in any of the interface's languages (or is its ISO code), the
record must be in that country. A kind the reader may not list is not queried at all; the
one kind with a narrower rule (the Board's applications) is narrowed in its query, so a record
the reader may not open is never found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import sqlalchemy as sa
from babel import Locale
from sqlalchemy.sql.elements import ColumnElement

from app.accounts.models import Membership, Organisation, User
from app.accounts.permissions import BOARD_STAGE_STATUSES, Permission, has_permission
from app.applications.models import Application, BudgetLine, WorkplanActivity
from app.calls.services import PROPOSAL_LANGUAGES
from app.donations.models import BankReceipt, Donor, Gift, Pledge
from app.grants.models import Grant
from app.platform.extensions import db
from app.search import documents
from app.search.documents import Text, document
from app.search.text import fold, terms

# A query's rows are (id, title, text, rank).
Rows = sa.Select[int, str, str, int]


class Kind(StrEnum):
    APPLICATION = "application"
    ORGANISATION = "organisation"
    GRANT = "grant"
    DONOR = "donor"
    GIFT = "gift"
    PLEDGE = "pledge"
    BANK_RECEIPT = "bank_receipt"


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: int
    title: str
    # The text the words were found in, whole: the page cuts and marks it.
    text: str
    rank: int


@dataclass(frozen=True)
class Found:
    kind: Kind
    hits: list[Hit]
    has_more: bool


@dataclass(frozen=True)
class Query:
    words: list[str]
    # For each word, the countries it names (empty when it names none).
    countries: list[frozenset[str]]
    phrase: str

    @property
    def empty(self) -> bool:
        return not self.words


# A country's name may be several words ("Côte d'Ivoire", "United Kingdom", "Sierra Leone"):
# that many words of a query that together name a country are one term, at most this many.
LONGEST_COUNTRY_NAME = 4
# Apostrophes as people type them and as the locale data writes them (U+2019).
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def parse(text: str) -> Query:
    words = terms(text)
    merged: list[str] = []
    start = 0
    while start < len(words):
        for size in range(min(LONGEST_COUNTRY_NAME, len(words) - start), 0, -1):
            term = " ".join(words[start : start + size])
            if size == 1 or countries_named(term):
                merged.append(term)
                start += size
                break
    return Query(merged, [countries_named(w) for w in merged], " ".join(words))


@cache
def _country_names() -> dict[str, frozenset[str]]:
    """Folded country name, in each interface language, or ISO code -> codes."""
    found: dict[str, set[str]] = {}
    for language in PROPOSAL_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                found.setdefault(fold(str(name)).translate(_APOSTROPHES), set()).add(code)
                found.setdefault(code.lower(), set()).add(code)
    return {name: frozenset(codes) for name, codes in found.items()}


def countries_named(term: str) -> frozenset[str]:
    return _country_names().get(term.translate(_APOSTROPHES), frozenset())


def searchable_kinds(actor: User) -> list[Kind]:
    """The kinds of record this reader may find: those whose lists they may see."""
    kinds = []
    if has_permission(actor, Permission.VIEW_ALL_APPLICATIONS) or has_permission(
        actor, Permission.VIEW_BOARD_PACK
    ):
        kinds.append(Kind.APPLICATION)
    if has_permission(actor, Permission.VERIFY_ORGANISATION) or has_permission(
        actor, Permission.VIEW_ALL_APPLICATIONS
    ):
        kinds.append(Kind.ORGANISATION)
    if has_permission(actor, Permission.VIEW_ALL_APPLICATIONS) or has_permission(
        actor, Permission.VIEW_LEDGER
    ):
        kinds.append(Kind.GRANT)
    if has_permission(actor, Permission.VIEW_ALL_CONTRIBUTIONS):
        kinds += [Kind.DONOR, Kind.GIFT, Kind.PLEDGE, Kind.BANK_RECEIPT]
    return kinds


def _contains(haystack: ColumnElement[str], word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return haystack.like(f"%{escaped}%", escape="\\")


def _in_country(column: Text, codes: frozenset[str], many: bool) -> ColumnElement[bool]:
    # A JSON list of codes is part of the folded document as text like ["ke", "ug"] (on both
    # databases), so the same trigram index finds the code, quotes included.
    if many:
        return sa.or_(*(column.like(f'%"{code.lower()}"%') for code in sorted(codes)))
    return column.in_(sorted(codes))


def _matches(
    query: Query,
    haystack: ColumnElement[str],
    country: Text | None = None,
    *,
    many_countries: bool = False,
    key: Text | None = None,
    parts: tuple[tuple[Text, ColumnElement[str]], ...] = (),
) -> ColumnElement[bool]:
    """Every word in the haystack (or, for a country, the record in it), or in one of its
    ``parts``: rows of other tables, (the record's id there, their folded text)."""
    in_record = []
    for word, codes in zip(query.words, query.countries, strict=True):
        found = _contains(haystack, word)
        if codes and country is not None:
            found = sa.or_(
                found, _in_country(haystack if many_countries else country, codes, many_countries)
            )
        in_record.append(found)
    if not parts or key is None:
        return sa.and_(*in_record)
    # Records with every word in their own text (the indexes, intersected), and the few whose
    # parts hold one of the words, checked word by word. One condition with an OR across tables
    # would make PostgreSQL read every record.
    in_parts = [
        [key.in_(sa.select(part).where(_contains(text, word))) for part, text in parts]
        for word in query.words
    ]
    some_part = sa.union(
        *(
            sa.select(part).where(sa.or_(*(_contains(text, word) for word in query.words)))
            for part, text in parts
        )
    )
    with_parts = sa.select(key).where(
        key.in_(some_part),
        *(sa.or_(own, *others) for own, others in zip(in_record, in_parts, strict=True)),
    )
    return key.in_(sa.union(sa.select(key).where(*in_record), with_parts))


def _rank(query: Query, title: ColumnElement[str]) -> ColumnElement[int]:
    """3 when the (folded) title is the query, 2 when it starts with it, 1 when it contains it,
    else 0."""
    phrase = query.phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.case(
        (title == query.phrase, 3),
        (title.like(f"{phrase}%", escape="\\"), 2),
        (title.like(f"%{phrase}%", escape="\\"), 1),
        else_=0,
    )


def _select(
    kind: Kind,
    query: Query,
    *,
    key: Text,
    title: Text,
    text: Text,
    haystack: ColumnElement[str],
    folded_title: ColumnElement[str] | None = None,
    country: Text | None = None,
    many_countries: bool = False,
    parts: tuple[tuple[Text, ColumnElement[str]], ...] = (),
) -> Rows:
    """``folded_title``: the title as folded, when the table keeps it (else the haystack, which
    is the title folded for the kinds with no other text)."""
    rank = _rank(query, haystack if folded_title is None else folded_title).label("rank")
    matches = _matches(
        query, haystack, country, many_countries=many_countries, key=key, parts=parts
    )
    return sa.select(key, title, text, rank).where(matches).order_by(rank.desc(), key.desc())


def _applications(actor: User, query: Query) -> Rows:
    statement = _select(
        Kind.APPLICATION,
        query,
        key=Application.id,
        title=Application.title,
        text=Application.summary,
        haystack=documents.APPLICATION,
        folded_title=documents.APPLICATION_TITLE,
        country=Application.countries,
        many_countries=True,
        # The work plan's and the budget's lines are words of the proposal too.
        parts=(
            (WorkplanActivity.application_id, documents.ACTIVITY),
            (BudgetLine.application_id, documents.BUDGET_LINE),
        ),
    )
    if not has_permission(actor, Permission.VIEW_ALL_APPLICATIONS):
        # The Board: applications that reached it, never those of an organisation they are in.
        own = sa.select(Membership.organisation_id).where(Membership.user_id == actor.id)
        statement = statement.where(
            Application.status.in_(sorted(BOARD_STAGE_STATUSES)),
            Application.organisation_id.not_in(own),
        )
    return statement


def _organisations(actor: User, query: Query) -> Rows:
    return _select(
        Kind.ORGANISATION,
        query,
        key=Organisation.id,
        title=Organisation.name,
        text=Organisation.name,
        haystack=documents.ORGANISATION,
        country=Organisation.country,
    )


def _grants(actor: User, query: Query) -> Rows:
    return _select(
        Kind.GRANT,
        query,
        key=Grant.id,
        title=Grant.reference + " " + Grant.title,
        text=Grant.title,
        haystack=documents.GRANT,
    )


def _donors(actor: User, query: Query) -> Rows:
    return _select(
        Kind.DONOR,
        query,
        key=Donor.id,
        title=Donor.name,
        text=Donor.name,
        haystack=documents.DONOR,
        country=Donor.country,
    )


def _gifts(actor: User, query: Query) -> Rows:
    return _select(
        Kind.GIFT,
        query,
        key=Gift.id,
        title=Gift.donor_name,
        text=Gift.donor_name,
        haystack=documents.GIFT,
    )


def _pledges(actor: User, query: Query) -> Rows:
    return _select(
        Kind.PLEDGE,
        query,
        key=Pledge.id,
        title=Donor.name,
        text=sa.func.coalesce(Pledge.note, ""),
        haystack=document(Donor.name, Pledge.note),
        folded_title=documents.DONOR,
        country=Donor.country,
    ).join(Donor, Donor.id == Pledge.donor_id)


def _bank_receipts(actor: User, query: Query) -> Rows:
    return _select(
        Kind.BANK_RECEIPT,
        query,
        key=BankReceipt.id,
        title=BankReceipt.bank_reference,
        text=sa.func.coalesce(BankReceipt.payer_name, ""),
        haystack=document(BankReceipt.bank_reference, BankReceipt.payer_name, BankReceipt.note),
        folded_title=document(BankReceipt.bank_reference),
    )


QUERIES: dict[Kind, Callable[[User, Query], Rows]] = {
    Kind.APPLICATION: _applications,
    Kind.ORGANISATION: _organisations,
    Kind.GRANT: _grants,
    Kind.DONOR: _donors,
    Kind.GIFT: _gifts,
    Kind.PLEDGE: _pledges,
    Kind.BANK_RECEIPT: _bank_receipts,
}


def search(
    *, actor: User, text: str, kinds: list[Kind] | None = None, page: int = 1, per_page: int = 10
) -> list[Found]:
    """A page of each kind's best matches that the reader may see (one query per kind)."""
    query = parse(text)
    if query.empty:
        return []
    allowed = searchable_kinds(actor)
    found = []
    for kind in allowed if kinds is None else [k for k in allowed if k in kinds]:
        statement = QUERIES[kind](actor, query).limit(per_page + 1).offset((page - 1) * per_page)
        rows = db.session.execute(statement).all()
        hits = [Hit(kind, row[0], row[1] or "", row[2] or "", row[3]) for row in rows[:per_page]]
        if hits:
            found.append(Found(kind, hits, has_more=len(rows) > per_page))
    return found
