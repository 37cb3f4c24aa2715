"""How search compares text: folded the same way in Python and in the database.

``fold`` lowers, decomposes (NFKD) and drops combining marks, so "Crème", "creme" and "CRÈME"
meet, and Arabic written with or without its short vowels (or with hamza on the alef) too. The
database applies the same steps through a function named ``search_fold``: on PostgreSQL a SQL
function the migration creates (immutable, so trigram indexes can use it), on SQLite a Python
function installed on every connection. Both are built from the constants below, so a word
matches in SQL exactly when it matches here, and ``fold_spans`` can mark it in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, event

SQL_FUNCTION = "search_fold"

# Combining marks: Latin, Cyrillic, Hebrew and Arabic diacritics, and the generic blocks.
MARK_RANGES = (
    ("\u0300", "\u036f"),
    ("\u0483", "\u0489"),
    ("\u0591", "\u05c7"),
    ("\u0610", "\u061a"),
    ("\u064b", "\u065f"),
    ("\u0670", "\u0670"),
    ("\u06d6", "\u06ed"),
    ("\u1ab0", "\u1aff"),
    ("\u1dc0", "\u1dff"),
    ("\u20d0", "\u20ff"),
    ("\ufe20", "\ufe2f"),
)
# Arabic letters written two ways (alef maqsura and ya, ta marbuta and ha); the tatweel, a
# stretching stroke, is dropped.
TRANSLATE_FROM = "\u0649\u0629\u0640"
TRANSLATE_TO = "\u064a\u0647"

_MARKS = re.compile("[" + "".join(f"{a}-{b}" for a, b in MARK_RANGES) + "]")
_TABLE = str.maketrans(TRANSLATE_FROM[: len(TRANSLATE_TO)], TRANSLATE_TO, TRANSLATE_FROM[2:])


def fold(text: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.lower())).translate(_TABLE)


def fold_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where each folded needle occurs in ``text``, as (start, end) positions of the original,
    merged and in order."""
    folded: list[str] = []
    origin: list[int] = []  # origin[i]: the original character folded[i] came from
    for index, character in enumerate(text):
        for piece in fold(character):
            folded.append(piece)
            origin.append(index)
    haystack = "".join(folded)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        start = haystack.find(needle)
        while start != -1:
            end = start + len(needle) - 1
            spans.append((origin[start], origin[end] + 1))
            start = haystack.find(needle, start + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def terms(query: str) -> list[str]:
    """The folded words of a query, at most eight, each at most 100 characters."""
    return [word[:100] for word in fold(query).split()][:8]


def postgresql_function_sql() -> str:
    """The ``CREATE FUNCTION`` of the PostgreSQL twin of ``fold`` (used by the migration)."""
    marks = "".join(f"\\u{ord(a):04x}-\\u{ord(b):04x}" for a, b in MARK_RANGES)
    return (
        f"CREATE OR REPLACE FUNCTION {SQL_FUNCTION}(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT translate("
        f"regexp_replace(normalize(lower(value), NFKD), '[{marks}]', '', 'g'), "
        f"'{TRANSLATE_FROM}', '{TRANSLATE_TO}') $$"
    )


def _install_on_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function(
            SQL_FUNCTION,
            1,
            lambda value: None if value is None else fold(value),
            deterministic=True,
        )


def install_sqlite_function() -> None:
    """Give every new SQLite connection ``search_fold`` (once per process)."""
    if not event.contains(Engine, "connect", _install_on_sqlite):
        event.listen(Engine, "connect", _install_on_sqlite)


def chunks(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) by ``spans``."""
    position = 0
    for start, end in spans:
        if start > position:
            yield text[position:start], False
        yield text[start:end], True
        position = end
    if position < len(text):
        yield text[position:], False
