"""Every page reads whole in every language: each catalog translates every message of the template.

An untranslated message shows English in the middle of an Arabic page; a fuzzy one is not used
at all; a translation that loses ``%(amount)s`` hides the amount (or, with an unknown name, turns
the whole page into an error); a plural with too few forms shows the wrong form, or nothing,
for some counts. Read with Babel (``read_po``) and checked with Babel's own checkers, plus the
checks they leave out (a placeholder dropped from a translation, a missing or fuzzy message).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from config.settings import Base

TRANSLATIONS = Path(__file__).resolve().parents[1] / "app" / "translations"
LANGUAGES = [code for code in Base.LANGUAGES if code != Base.BABEL_DEFAULT_LOCALE]
# %(name)s, %(name)d...: the placeholders gettext fills in (flask-babel passes names only).
_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# The count a plural message is chosen by: a form for one thing ("one application") may say
# the number in words instead.
COUNT = "num"


def _read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source)


TEMPLATE = _read(TRANSLATIONS / "messages.pot")


def _key(message: Message) -> object:
    return (message.id[0] if message.pluralizable else message.id, message.context)


def _forms(message: Message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string or ""]


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def _problems(catalog: Catalog) -> list[str]:
    translated = {_key(message): message for message in catalog if message.id}
    problems = []
    for expected in (message for message in TEMPLATE if message.id):
        shown = expected.id[0] if expected.pluralizable else expected.id
        message = translated.get(_key(expected))
        if message is None:
            problems.append(f"missing: {shown!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {shown!r}")
        forms = _forms(message)
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {shown!r}")
        # Babel's checkers: the number of plural forms against the catalog's nplurals, and no
        # placeholder a message does not have.
        for error in _checked(catalog, message):
            problems.append(f"{error}: {shown!r}")
        if "python-format" in expected.flags:
            ids = list(expected.id) if expected.pluralizable else [expected.id]
            wanted = set().union(*(_placeholders(text) for text in ids))
            for form in forms:
                lost = wanted - _placeholders(form) - ({COUNT} if message.pluralizable else set())
                if form and lost:
                    problems.append(f"drops {sorted(lost)}: {shown!r} -> {form!r}")
    return problems


def _checked(catalog: Catalog, message: Message) -> list[str]:
    return [str(error) for error in message.check(catalog)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_whole(language: str) -> None:
    catalog = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")

    problems = _problems(catalog)

    assert not problems, f"{language}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_has_its_language_s_plural_forms(language: str) -> None:
    catalog = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")

    assert catalog.num_plurals == get_plural(language).num_plurals


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_name_in_every_page_title_is_in_the_page_s_language(language: str) -> None:
    # Every page's title ends with it: left in English it ended each Arabic, Russian and
    # Chinese title in English (fresh-eyes finding, 2026-12-07), while French and Spanish had
    # theirs.
    name = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").get("Trust Fund Grants")
    assert name is not None and name.string and name.string != "Trust Fund Grants"
