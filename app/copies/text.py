"""The words of a proposal and the passages two proposals share (pure functions, no database).

A text is cut into tokens: words in scripts written with spaces, and single characters in
scripts written without them (Chinese, Japanese, Thai, Lao, Khmer, Myanmar), so a "shingle" of
``SHINGLE`` tokens is five words in English and five characters in Chinese. Each token is
normalised (NFKC, then casefolded) for comparing, and keeps its place in the text for showing.

Two texts share a passage where their shingles match: every token of a shingle found in the
other text is covered, runs of covered tokens separated by at most ``GAP`` uncovered ones (the
words a copier changed) are joined, and a joined run of at least ``MIN_PASSAGE`` tokens is a
shared passage. The share of a text reused is the length of its shared passages over its length.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SHINGLE = 5  # tokens per shingle
GAP = 8  # changed tokens bridged inside one passage
MIN_PASSAGE = 20  # tokens: shorter common runs are stock phrases, not copying

# Scripts written without spaces between words: each character is a token.
_UNSPACED = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0003134f"  # CJK Extensions B to G
)
_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Letters, digits and the combining marks inside words (Arabic vowels, Indic signs...)."""
    marks = [
        chr(code)
        for code in range(0x300, 0x10000)
        if unicodedata.category(chr(code)).startswith("M")
    ]
    ranges: list[tuple[int, int]] = []
    for char in marks:
        code = ord(char)
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    mark_class = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{_UNSPACED}]|(?:[^\\W_{_UNSPACED}]|[{mark_class}])+")


@dataclass(frozen=True)
class Token:
    key: str  # normalised: what is compared
    start: int  # where it stands in the text
    end: int


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def tokens(text: str) -> list[Token]:
    """The text's tokens in order (``text`` is read as given: offsets point into it)."""
    return [
        Token(normalise(match.group()), match.start(), match.end())
        for match in _token_pattern().finditer(text)
    ]


def shingles(keys: Sequence[str]) -> list[str]:
    """Every run of SHINGLE consecutive tokens, as one string (a text shorter than that: none)."""
    return [" ".join(keys[i : i + SHINGLE]) for i in range(len(keys) - SHINGLE + 1)]


@dataclass(frozen=True)
class Passage:
    start: int  # token indexes, end exclusive
    end: int
    # Where the same words are in the other text (token indexes, end exclusive).
    other_start: int
    other_end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Overlap:
    """What one text (``first``) shares with another (``second``), seen from both sides."""

    first: list[Passage]
    second: list[Passage]
    first_length: int
    second_length: int

    @property
    def first_share(self) -> float:
        return _share(self.first, self.first_length)

    @property
    def second_share(self) -> float:
        return _share(self.second, self.second_length)

    @property
    def share(self) -> float:
        return max(self.first_share, self.second_share)


def _share(passages: Iterable[Passage], length: int) -> float:
    return sum(p.length for p in passages) / length if length else 0.0


def _passages(keys: Sequence[str], other: Sequence[str]) -> list[Passage]:
    """The passages of ``keys`` whose shingles are found in ``other``."""
    where: dict[str, int] = {}
    for position, shingle in enumerate(shingles(other)):
        where.setdefault(shingle, position)
    covered: list[tuple[int, int]] = []  # (token index in keys, index in other)
    for position, shingle in enumerate(shingles(keys)):
        found = where.get(shingle)
        if found is not None:
            covered.append((position, found))
    passages: list[Passage] = []
    run: list[tuple[int, int]] = []
    for position, found in covered:
        if run and position > run[-1][0] + SHINGLE + GAP:
            passages.extend(_passage(run))
            run = []
        run.append((position, found))
    passages.extend(_passage(run))
    return passages


def _passage(run: list[tuple[int, int]]) -> list[Passage]:
    if not run:
        return []
    start, end = run[0][0], run[-1][0] + SHINGLE
    if end - start < MIN_PASSAGE:
        return []
    # The other text's span: around the median match, the shingles in the same order.
    others = sorted(found for _, found in run)
    median = others[len(others) // 2]
    near = [found for found in others if abs(found - median) <= (end - start) + GAP]
    return [Passage(start, end, min(near), max(near) + SHINGLE)]


def overlap(first: Sequence[str], second: Sequence[str]) -> Overlap:
    """The passages the two token sequences (normalised keys) share."""
    return Overlap(
        first=_passages(first, second),
        second=_passages(second, first),
        first_length=len(first),
        second_length=len(second),
    )
