"""Signing a submitted application's text, finding the applications it shares long passages
with, and flagging them for the fund's screeners (decision 0086).

The signature is a MinHash (datasketch) of the text's shingles; its BANDS bands of ROWS values
are hashed and stored one row each, indexed, so the applications with an equal band (the likely
copies) are found by one indexed query, never by reading every signature. The likely copies are
then compared by their estimated resemblance, and those above CANDIDATE_RESEMBLANCE word by
word (app/copies/text.py): a pair whose shared passages make up COPIED_TEXT_THRESHOLD percent of
either text is flagged, and the flag audited. Applications of the same organisation are not
compared with each other (an NGO may reuse its own proposal for a new call).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.applications.models import Application, ApplicationStatus
from app.audit.services import record_event
from app.copies import text as words
from app.copies.decisions import reopen
from app.copies.models import CopyFlag, TextBand, TextSignature
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.settings import settings

PERMUTATIONS = 256
# Bands of ROWS consecutive values, overlapping (values 0-1, 1-2, 2-3...): a copy resembling
# its source at 0.18 shares no band with probability 0.0007 (0.015 with 128 disjoint bands).
ROWS = 2
BANDS = PERMUTATIONS - ROWS + 1
SEED = 1
SCHEME = "affine32"
METHOD = f"datasketch-{SCHEME}-{PERMUTATIONS}x{words.SHINGLE}-{BANDS}o{ROWS}"
# The estimated resemblance (Jaccard of the shingle sets) from which a likely copy is compared
# word by word: a proposal reusing 60 % of another's with one word in ten changed is near 0.2.
CANDIDATE_RESEMBLANCE = 0.04
# Applications that are signed when submitted (and by `flask screening copies`).
SIGNED_STATUSES = frozenset(set(ApplicationStatus) - {ApplicationStatus.DRAFT})


def proposal_text(application: Application) -> str:
    """The words of the proposal, in the order of its sections: title, summary, places, the
    groups assisted, the work plan's activities. Paragraphs separated by a blank line."""
    parts = [
        application.title,
        application.summary,
        application.locations,
        application.target_groups_notes,
        *(activity.description for activity in application.activities),
    ]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def copy_threshold() -> float:
    """COPIED_TEXT_THRESHOLD as a fraction."""
    return settings().screening.copied_text_threshold / 100


# -- signatures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    keys: list[str]  # the text's normalised tokens
    values: np.ndarray[Any, np.dtype[np.uint32]]  # the MinHash
    band_hashes: list[int]


def _minhash_values(shingles: Sequence[str]) -> np.ndarray[Any, np.dtype[np.uint32]]:
    from datasketch import MinHash  # imported when first needed: it brings in scipy

    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME)
    if shingles:
        minhash.update_batch([shingle.encode() for shingle in set(shingles)])
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def _band_hash(band: int, values: np.ndarray[Any, np.dtype[np.uint32]]) -> int:
    digest = hashlib.blake2b(
        band.to_bytes(2, "big") + values.astype("<u4").tobytes(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def sign_text(text: str) -> Signed:
    """The text's tokens, MinHash and band hashes (no bands for a text too short to share a
    passage: it is never a likely copy)."""
    keys = [token.key for token in words.tokens(text)]
    values = _minhash_values(words.shingles(keys))
    return Signed(keys, values, band_hashes(values) if len(keys) >= words.MIN_PASSAGE else [])


def band_hashes(values: np.ndarray[Any, np.dtype[np.uint32]]) -> list[int]:
    """The signature's BANDS band hashes, each of ROWS consecutive values."""
    return [_band_hash(band, values[band : band + ROWS]) for band in range(BANDS)]


def store_signature(application_id: int, text: str, signed: Signed) -> TextSignature:
    """Keep ``signed`` as the application's signature, replacing an earlier one."""
    db.session.execute(sa.delete(TextBand).where(TextBand.application_id == application_id))
    db.session.execute(
        sa.delete(TextSignature).where(TextSignature.application_id == application_id)
    )
    signature = TextSignature(
        application_id=application_id,
        method=METHOD,
        signature=signed.values.astype("<u4").tobytes(),
        token_count=len(signed.keys),
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        signed_at=utcnow(),
    )
    db.session.add(signature)
    db.session.flush()
    if signed.band_hashes:
        db.session.execute(
            sa.insert(TextBand),
            [
                {"application_id": application_id, "band": band, "band_hash": value}
                for band, value in enumerate(signed.band_hashes)
            ],
        )
    return signature


# -- finding copies ------------------------------------------------------------------------


def likely_copies(application: Application, signed: Signed) -> list[int]:
    """The applications of other organisations with a band equal to one of ``signed``'s (one
    indexed query), whose estimated resemblance reaches CANDIDATE_RESEMBLANCE."""
    if not signed.band_hashes:
        return []
    sharing = (
        sa.select(TextBand.application_id)
        .where(
            TextBand.band_hash.in_(signed.band_hashes),
            TextBand.application_id != application.id,
        )
        .distinct()
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(TextSignature.application_id, TextSignature.signature)
        .join(Application, Application.id == TextSignature.application_id)
        .where(
            TextSignature.application_id.in_(sharing),
            TextSignature.method == METHOD,
            Application.organisation_id != application.organisation_id,
        )
    ).all()
    found = []
    for other_id, blob in rows:
        other = np.frombuffer(blob, dtype="<u4")
        if float(np.mean(other == signed.values)) >= CANDIDATE_RESEMBLANCE:
            found.append(other_id)
    return sorted(found)


@dataclass(frozen=True)
class Finding:
    other_id: int
    overlap: words.Overlap


def _applications(ids: Sequence[int]) -> list[Application]:
    if not ids:
        return []
    return list(
        db.session.execute(
            sa.select(Application)
            .where(Application.id.in_(ids))
            .options(selectinload(Application.activities))
        ).scalars()
    )


def compare_with(
    application: Application, keys: Sequence[str], ids: Sequence[int]
) -> list[Finding]:
    """Word by word against each of ``ids``: those whose shared passages reach the threshold."""
    threshold = copy_threshold()
    findings = []
    for other in _applications(ids):
        other_keys = [token.key for token in words.tokens(proposal_text(other))]
        found = words.overlap(keys, other_keys)
        if found.share >= threshold and found.first:
            findings.append(Finding(other.id, found))
    return findings


def check_application(application: Application) -> list[CopyFlag]:
    """Sign the application's text, find the applications it shares long passages with and
    flag them (a flag that no longer holds after the text changed is withdrawn). Flushes.

    Audited as the system's doing, never the submitter's: what the audit log says a person did
    is theirs to read (their personal data), and the organisation never learns of a flag."""
    text = proposal_text(application)
    signed = sign_text(text)
    store_signature(application.id, text, signed)
    findings = compare_with(application, signed.keys, likely_copies(application, signed))
    return _record_flags(application, findings)


def _record_flags(application: Application, findings: list[Finding]) -> list[CopyFlag]:
    existing = {
        flag.other(application.id).id: flag
        for flag in db.session.execute(
            sa.select(CopyFlag).where(
                sa.or_(CopyFlag.first_id == application.id, CopyFlag.second_id == application.id)
            )
        ).scalars()
    }
    flags = []
    for finding in findings:
        mine, theirs = finding.overlap.first_share, finding.overlap.second_share
        first_id, second_id = sorted((application.id, finding.other_id))
        first_share, second_share = (mine, theirs) if first_id == application.id else (theirs, mine)
        flag = existing.pop(finding.other_id, None)
        if flag is None:
            flag = CopyFlag(first_id=first_id, second_id=second_id)
            db.session.add(flag)
        shares = (round(min(first_share, 1.0), 4), round(min(second_share, 1.0), 4))
        if (flag.first_share, flag.second_share) != shares:
            reopen(flag)  # a decision was made on other texts
        flag.first_share, flag.second_share = shares
        flag.passages = len(finding.overlap.first)
        flag.computed_at = utcnow()
        db.session.flush()
        record_event(
            actor=None,
            action="copy.flagged",
            subject=flag,
            summary=(
                f"APP-{first_id:05d} and APP-{second_id:05d} share long passages "
                f"({round(first_share * 100)} % and {round(second_share * 100)} % of their text)"
            ),
            changes={"first_share": flag.first_share, "second_share": flag.second_share},
        )
        flags.append(flag)
    for stale in existing.values():
        record_event(
            actor=None,
            action="copy.withdrawn",
            subject=stale,
            summary=(
                f"APP-{stale.first_id:05d} and APP-{stale.second_id:05d} no longer share long "
                "passages (the text changed)"
            ),
        )
        db.session.delete(stale)
    db.session.flush()
    return flags


def on_submitted(name: str, obj: Any, source: Any, target: Any, actor: Any) -> None:
    """A listener of the application workflow (app/bootstrap.py): check every submission."""
    if name == "application" and target == ApplicationStatus.SUBMITTED:
        check_application(obj)


def unsigned_applications() -> Iterator[int]:
    """The ids of submitted applications without a signature of the current method."""
    signed = sa.select(TextSignature.application_id).where(TextSignature.method == METHOD)
    yield from db.session.execute(
        sa.select(Application.id)
        .where(
            Application.status.in_([str(s) for s in SIGNED_STATUSES]),
            Application.id.not_in(signed),
        )
        .order_by(Application.id)
    ).scalars()


def sign_all(*, progress: Callable[[int, int, int], None] | None = None) -> tuple[int, int]:
    """Check every submitted application not yet signed, committing every 100; (signed,
    flags). ``progress(done, total, flags)`` is told after each batch."""
    ids = list(unsigned_applications())
    done = flagged = 0
    for start in range(0, len(ids), 100):
        for application in _applications(ids[start : start + 100]):
            flagged += len(check_application(application))
            done += 1
        db.session.commit()
        if progress is not None:
            progress(done, len(ids), flagged)
    return done, flagged
