"""What the fund's screeners see of copied proposals: an application's flags, the latest flags
(the due-diligence queue, waiting ones first) and a pair's two texts side by side with the
shared passages numbered alike. Nobody of either organisation sees any of it (decision 0086)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.applications.models import Application
from app.copies import text as words
from app.copies.access import can_see_copies, may_see_pair
from app.copies.models import CopyFlag, whole_percent
from app.copies.services import proposal_text
from app.platform.errors import N_, PermissionDenied
from app.platform.extensions import db


def flags_of(actor: Any, application: Application) -> list[CopyFlag]:
    """The application's flags, highest share of its own text first; none for who may not
    see them."""
    if not can_see_copies(actor, application):
        return []
    flags = [
        flag
        for flag in db.session.execute(
            sa.select(CopyFlag).where(
                sa.or_(CopyFlag.first_id == application.id, CopyFlag.second_id == application.id)
            )
        ).scalars()
        if can_see_copies(actor, flag.other(application.id))
    ]
    return sorted(flags, key=lambda flag: -flag.share_of(application.id))


def recent_flags(actor: Any, *, limit: int = 50) -> list[CopyFlag]:
    """The latest flags the actor may see (the due-diligence queue): those waiting for a
    decision first."""
    flags = db.session.execute(
        sa.select(CopyFlag)
        .order_by(CopyFlag.decision.is_not(None), CopyFlag.computed_at.desc(), CopyFlag.id.desc())
        .limit(limit)
    ).scalars()
    return [flag for flag in flags if may_see_pair(actor, flag)]


@dataclass(frozen=True)
class Segment:
    text: str
    passage: int | None  # the passage's number (from 1), None for words not shared


@dataclass(frozen=True)
class Side:
    application: Application
    share: Decimal  # as shown
    paragraphs: list[list[Segment]]


@dataclass(frozen=True)
class Comparison:
    flag: CopyFlag
    first: Side
    second: Side
    # Each passage of the first text by number, as written there and in the second text.
    pairs: list[tuple[int, str, str]]


def compare(actor: Any, flag: CopyFlag) -> Comparison:
    """The two texts side by side, the shared passages numbered alike in both (computed from
    the texts as they are now)."""
    if not may_see_pair(actor, flag):
        raise PermissionDenied(N_("You do not have permission to do this."))
    texts = [proposal_text(flag.first), proposal_text(flag.second)]
    tokens = [words.tokens(texts[0]), words.tokens(texts[1])]
    found = words.overlap([t.key for t in tokens[0]], [t.key for t in tokens[1]])
    # The first text's passages are numbered in reading order; each of the second's gets the
    # number of the first's passage its words come from.
    first_spans = [(p.start, p.end, n) for n, p in enumerate(found.first, start=1)]
    second_spans = [(p.start, p.end, _number_of(p, found.first)) for p in found.second]
    pairs = [
        (
            n,
            _words(texts[0], tokens[0], p.start, p.end),
            _words(texts[1], tokens[1], p.other_start, p.other_end),
        )
        for n, p in enumerate(found.first, start=1)
    ]
    return Comparison(
        flag=flag,
        first=_side(flag.first, flag.first_share, texts[0], tokens[0], first_spans),
        second=_side(flag.second, flag.second_share, texts[1], tokens[1], second_spans),
        pairs=pairs,
    )


def _words(text: str, tokens: list[words.Token], start: int, end: int) -> str:
    end = min(end, len(tokens))
    return text[tokens[start].start : tokens[end - 1].end] if start < end else ""


def _number_of(passage: words.Passage, others: list[words.Passage]) -> int:
    """The number of the other text's passage that ``passage`` overlaps most."""
    best, number = -(10**9), 0
    for n, other in enumerate(others, start=1):
        common = min(passage.end, other.other_end) - max(passage.start, other.other_start)
        if common > best:
            best, number = common, n
    return number


def _side(
    application: Application,
    share: float,
    text: str,
    tokens: list[words.Token],
    spans: list[tuple[int, int, int]],
) -> Side:
    """The text cut into paragraphs of segments, the passages' words marked with their number."""
    segments: list[Segment] = []
    at = 0
    for start, end, number in spans:
        begin, finish = tokens[start].start, tokens[end - 1].end
        if begin > at:
            segments.append(Segment(text[at:begin], None))
        segments.append(Segment(text[begin:finish], number))
        at = finish
    if at < len(text):
        segments.append(Segment(text[at:], None))
    paragraphs: list[list[Segment]] = [[]]
    for segment in segments:
        for index, piece in enumerate(segment.text.split("\n\n")):
            if index:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append(Segment(piece, segment.passage))
    return Side(application, whole_percent(share), [p for p in paragraphs if p])
