"""Hash chains that make an append-only table tamper-evident (the ledger's transfers, the audit
log), and the heads of their seals as people outside the database keep them.

A chain is a running SHA-256: each row, written as its canonical text, is hashed together with
the hash before it, starting from ``GENESIS_HASH``. A seal (a checkpoint) records the running
hash after its last row: its *head*. Changing, removing or slipping in any row before it gives
another running hash from there on, so a head kept outside the database vouches for every row
up to it, whatever the checkpoints in the database now say.

Each table says how one of its rows is written (its canonical text); the chaining, the search
for heads in what people kept (a hash, a saved API answer, an e-mail) and the walk that checks
heads are here, one for all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

GENESIS_HASH = "0" * 64

# The transparency page and API show the newest heads of each chain only: each head covers every
# row before it, so whoever keeps any one of them can check all the history up to it.
PUBLISHED_HEADS = 30


def utc_text(moment: datetime) -> str:
    """A moment as canonical text: UTC, ISO 8601, to the microsecond (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def link(previous_hash: str, canonical: str) -> str:
    """The running hash after one more row, written as ``canonical``."""
    return hashlib.sha256(f"{previous_hash}\x1e{canonical}".encode()).hexdigest()


def chain_hash(previous_hash: str, canonicals: Iterable[str]) -> tuple[str, int]:
    """The hash after chaining every row onto ``previous_hash``, and how many rows there were."""
    digest, count = previous_hash, 0
    for canonical in canonicals:
        digest = link(digest, canonical)
        count += 1
    return digest, count


@dataclass(slots=True)
class HeadWalk:
    """The chain recomputed from the first row, and which of the heads given it passed."""

    rows: int
    last_hash: str
    reached: set[str]


def walk_to_heads(canonicals: Iterable[str], heads: Sequence[str]) -> HeadWalk:
    """Chain every row from ``GENESIS_HASH`` and note each head the running hash passes.

    A head kept outside is reached exactly when no row up to it was changed, removed or added.
    """
    wanted = {head.lower() for head in heads}
    reached: set[str] = set()
    digest, count = GENESIS_HASH, 0
    for canonical in canonicals:
        digest = link(digest, canonical)
        count += 1
        if digest in wanted:
            reached.add(digest)
    return HeadWalk(rows=count, last_hash=digest, reached=reached)


_HEAD = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


def heads_in(text: str, *, section: str | None = None) -> list[str]:
    """The chain hashes written in ``text`` (a saved API answer, an e-mail, a list), in order,
    each once; the genesis hash, which every chain starts from, is left out.

    ``section``: when ``text`` is a JSON object holding that key (the saved transparency API
    answer, which publishes the heads of several chains), only the heads under it are read.
    """
    if section is not None and text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict) and section in document:
            text = json.dumps(document[section])
    heads: list[str] = []
    for match in _HEAD.findall(text):
        head = match.lower()
        if head != GENESIS_HASH and head not in heads:
            heads.append(head)
    return heads


class NoHeadGiven(ValueError):
    """A value given as a head is neither a head nor a file holding one."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def heads_given(values: Iterable[str], *, section: str | None = None) -> list[str]:
    """The heads in each value given on a command line: a 64-character hash, or a file holding
    heads (see ``heads_in``); each once, in order. Raises ``NoHeadGiven`` for a value that
    holds none."""
    heads: list[str] = []
    for value in values:
        path = Path(value)
        text = path.read_text(errors="replace") if path.is_file() else value
        found = heads_in(text, section=section)
        if not found:
            raise NoHeadGiven(value)
        heads += [head for head in found if head not in heads]
    return heads
