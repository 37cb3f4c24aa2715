"""Matching an organisation's names against every name and alias on the sanctions list.

Names are compared as Unicode-normalised (NFKD, marks removed, casefolded), word-sorted keys, so
diacritics, case, punctuation and word order do not matter; a second, consonant skeleton of each
word ("Mohammed", "Muhammad" and "Mohamad" are all "mhmd") catches transliterations. RapidFuzz
scores both; the higher counts, the skeleton's slightly discounted because it forgets vowels.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Membership, MembershipRole, Organisation, Role, User, UserRole
from app.applications.models import OrganisationProfile
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all
from app.organisations.models import BankAccount
from app.platform.extensions import db
from app.platform.settings import settings
from app.screening.models import (
    HitStatus,
    SanctionEntry,
    ScreenedName,
    ScreeningHit,
)

# How much a match on consonant skeletons alone counts, against the full spelling.
SKELETON_WEIGHT = 0.9
_VOWELS = frozenset("aeiouy")
# Spellings that transliterations of the same sound use; applied before vowels are dropped.
_SOUNDS = (("ph", "f"), ("kh", "k"), ("gh", "g"), ("dh", "d"), ("q", "k"), ("ck", "k"), ("w", "v"))


def _use(session: Session | None) -> Session:
    """The given session (a session hook's), or the request's."""
    return session if session is not None else cast(Session, db.session)


def name_key(name: str) -> str:
    """The name's words, without diacritics, case or punctuation, in sorted order."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = re.findall(r"\w+", plain)
    return " ".join(sorted(words))


def _skeleton_word(word: str) -> str:
    if not word.isascii():
        return word  # other scripts are compared as written
    for spelling, sound in _SOUNDS:
        word = word.replace(spelling, sound)
    kept = word[0] + "".join(c for c in word[1:] if c not in _VOWELS)
    return re.sub(r"(.)\1+", r"\1", kept)


def skeleton_key(key: str) -> str:
    """The consonant skeleton of a name key, word by word, in sorted order."""
    return " ".join(sorted(_skeleton_word(word) for word in key.split()))


def name_score(a: str, b: str) -> float:
    """How alike two names are, 0 to 100."""
    return _score(name_key(a), name_key(b))


def _score(key_a: str, key_b: str) -> float:
    plain = fuzz.ratio(key_a, key_b)
    skeleton = fuzz.ratio(skeleton_key(key_a), skeleton_key(key_b))
    return round(max(plain, SKELETON_WEIGHT * skeleton + (1 - SKELETON_WEIGHT) * plain), 1)


def match_threshold() -> float:
    return settings().screening.match_threshold


@dataclass(frozen=True)
class _Name:
    entry_id: int
    name: str
    quality: str
    key: str
    skeleton: str


@dataclass(frozen=True)
class Match:
    entry_id: int
    screened: ScreenedName
    screened_name: str
    matched_name: str
    alias_quality: str
    score: float


class ListIndex:
    """Every name of the entries still on the list, normalised once for many comparisons."""

    def __init__(self, entries: Iterable[SanctionEntry]) -> None:
        self.names: list[_Name] = []
        self.entries: dict[int, SanctionEntry] = {}
        for entry in entries:
            self.entries[entry.id] = entry
            for name, quality in entry.names:
                key = name_key(name)
                if key:
                    self.names.append(_Name(entry.id, name, quality, key, skeleton_key(key)))
        self._keys = [n.key for n in self.names]
        self._skeletons = [n.skeleton for n in self.names]

    @classmethod
    def current(cls, session: Session | None = None) -> ListIndex:
        session = _use(session)
        entries = session.execute(
            sa.select(SanctionEntry).where(SanctionEntry.removed_at.is_(None))
        ).scalars()
        return cls(entries)

    def matches(self, screened: ScreenedName, name: str, threshold: float) -> list[Match]:
        """The list's names scoring ``threshold`` or more against ``name``."""
        key = name_key(name)
        if len(key) < 3 or not self.names:
            return []
        skeleton = skeleton_key(key)
        # A candidate that can reach the threshold scores at least this on one of the two keys.
        floor = (threshold - (1 - SKELETON_WEIGHT) * 100) / SKELETON_WEIGHT
        candidates = {
            index
            for _, _, index in process.extract(
                key, self._keys, scorer=fuzz.ratio, score_cutoff=min(threshold, floor), limit=None
            )
        } | {
            index
            for _, _, index in process.extract(
                skeleton, self._skeletons, scorer=fuzz.ratio, score_cutoff=floor, limit=None
            )
        }
        found = []
        for index in candidates:
            listed = self.names[index]
            score = _score(key, listed.key)
            if score >= threshold:
                found.append(
                    Match(listed.entry_id, screened, name, listed.name, listed.quality, score)
                )
        return found


def screened_names(
    organisation: Organisation,
    session: Session | None = None,
    *,
    account_holders: list[str] | None = None,
) -> list[tuple[ScreenedName, str]]:
    """The organisation's names and its key people's: its name, legal name, director, the
    holder named in its file and on its bank accounts in use or proposed, and the owners of
    its account (its signatories)."""
    session = _use(session)
    names = [(ScreenedName.ORGANISATION, organisation.name)]
    profile = _profile_of(organisation, session)
    if profile is not None:
        names += [
            (ScreenedName.LEGAL_NAME, profile.legal_name),
            (ScreenedName.DIRECTOR, profile.director_name),
            (ScreenedName.BANK_ACCOUNT_HOLDER, profile.bank_account_holder),
        ]
    names += [
        (ScreenedName.BANK_ACCOUNT_HOLDER, holder)
        for holder in (
            _account_holders(organisation, session) if account_holders is None else account_holders
        )
    ]
    names += [
        (ScreenedName.SIGNATORY, membership.user.full_name)
        for membership in organisation.memberships
        if membership.role == MembershipRole.OWNER and membership.user is not None
    ]
    seen: set[str] = set()
    unique = []
    for kind, name in names:
        if name and name_key(name) not in seen:
            seen.add(name_key(name))
            unique.append((kind, name))
    return unique


def _account_holders(organisation: Organisation, session: Session) -> list[str]:
    """The holders of the organisation's bank accounts that are in use or waiting for
    confirmation, also one about to be inserted by this flush."""
    found = [
        obj.holder_name
        for obj in session.new
        if isinstance(obj, BankAccount)
        and organisation.id is not None
        and obj.organisation_id == organisation.id
    ]
    if organisation.id is not None:
        found += session.scalars(
            sa.select(BankAccount.holder_name).where(
                BankAccount.organisation_id == organisation.id,
                BankAccount.rejected_at.is_(None),
                BankAccount.superseded_at.is_(None),
            )
        ).all()
    return found


def _profile_of(organisation: Organisation, session: Session) -> OrganisationProfile | None:
    """The organisation's profile, also when it is about to be inserted by this flush."""
    for obj in session.new:
        if isinstance(obj, OrganisationProfile) and (
            obj.organisation is organisation
            or (organisation.id is not None and obj.organisation_id == organisation.id)
        ):
            return obj
    if organisation.id is None:
        return None
    return session.get(OrganisationProfile, organisation.id)


def screen_organisation(
    organisation: Organisation,
    *,
    index: ListIndex | None = None,
    session: Session | None = None,
    threshold: float | None = None,
    account_holders: list[str] | None = None,
) -> list[ScreeningHit]:
    """Raise a hit for every listed entry one of the organisation's names matches, unless the
    entry already has an open or confirmed hit, or a cleared one while the entry is unchanged.
    Returns the new hits (added to the session, not flushed)."""
    session = _use(session)
    index = index if index is not None else ListIndex.current(session)
    threshold = match_threshold() if threshold is None else threshold
    best: dict[int, Match] = {}
    for screened, name in screened_names(organisation, session, account_holders=account_holders):
        for match in index.matches(screened, name, threshold):
            if match.entry_id not in best or match.score > best[match.entry_id].score:
                best[match.entry_id] = match
    if not best:
        return []
    earlier: dict[int, list[ScreeningHit]] = {}
    if organisation.id is not None:
        for hit in session.execute(
            sa.select(ScreeningHit).where(
                ScreeningHit.organisation_id == organisation.id,
                ScreeningHit.entry_id.in_(best),
            )
        ).scalars():
            earlier.setdefault(hit.entry_id, []).append(hit)
    raised = []
    for entry_id, match in sorted(best.items()):
        entry = index.entries[entry_id]
        if any(
            hit.status in (HitStatus.OPEN, HitStatus.CONFIRMED)
            or (hit.status == HitStatus.CLEARED and hit.entry_hash == entry.content_hash)
            for hit in earlier.get(entry_id, [])
        ):
            continue
        hit = ScreeningHit(
            organisation=organisation,
            entry=entry,
            screened=match.screened,
            screened_name=match.screened_name[:300],
            matched_name=match.matched_name[:500],
            alias_quality=match.alias_quality,
            score=match.score,
            entry_hash=entry.content_hash,
            status=HitStatus.OPEN,
        )
        session.add(hit)
        raised.append(hit)
    return raised


def screen_all_organisations(session: Session | None = None) -> list[ScreeningHit]:
    """Screen every organisation against the current list (after each import)."""
    session = _use(session)
    index = ListIndex.current(session)
    threshold = match_threshold()
    raised: list[ScreeningHit] = []
    organisations = (
        session.execute(
            sa.select(Organisation)
            .options(selectinload(Organisation.memberships).selectinload(Membership.user))
            .order_by(Organisation.id)
        )
        .scalars()
        .all()
    )
    # Loaded at once and held here, so that each organisation's profile is found in the session.
    _held_profiles = session.execute(sa.select(OrganisationProfile)).scalars().all()
    holders: dict[int, list[str]] = defaultdict(list)
    for organisation_id, holder in session.execute(
        sa.select(BankAccount.organisation_id, BankAccount.holder_name).where(
            BankAccount.rejected_at.is_(None), BankAccount.superseded_at.is_(None)
        )
    ):
        holders[organisation_id].append(holder)
    for organisation in organisations:
        raised += screen_organisation(
            organisation,
            index=index,
            session=session,
            threshold=threshold,
            account_holders=holders.get(organisation.id, []),
        )
    return raised


def tell_deciders(hits: list[ScreeningHit], session: Session | None = None) -> None:
    """Fund managers are told that possible matches wait in the due-diligence queue."""
    if not hits:
        return
    session = _use(session)
    managers = session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.FUND_MANAGER, User.is_active.is_(True))
        .order_by(User.id)
        .distinct()
    ).scalars()
    notify_all(
        managers,
        kind=NotificationKind.ATTENTION_NEEDED,
        link=link_to("screening.queue"),
        params={"reference": "sanctions screening"},
    )


# What, when it changes, makes an organisation's names change (attribute names per model).
_WATCHED: dict[type, tuple[str, ...]] = {
    Organisation: ("name",),
    OrganisationProfile: ("legal_name", "bank_account_holder", "director_name"),
    Membership: ("role", "user_id"),
    BankAccount: ("holder_name",),
}


def _changed_organisations(session: Session) -> list[Organisation]:
    found: dict[int, Organisation] = {}
    for obj in (*session.new, *session.dirty):
        attributes = _WATCHED.get(type(obj))
        if attributes is None:
            continue
        state = sa.inspect(obj)
        if obj not in session.new and not any(
            state.attrs[name].history.has_changes() for name in attributes
        ):
            continue
        organisation = obj if isinstance(obj, Organisation) else _organisation_of(session, obj)
        if organisation is not None:
            found[id(organisation)] = organisation
    return list(found.values())


def _organisation_of(session: Session, obj: object) -> Organisation | None:
    organisation = getattr(obj, "organisation", None)
    if organisation is None:
        organisation_id = getattr(obj, "organisation_id", None)
        organisation = session.get(Organisation, organisation_id) if organisation_id else None
    return organisation if isinstance(organisation, Organisation) else None


def screen_changed_organisations(session: Session, _context: object, _instances: object) -> None:
    """Before each flush: an organisation created, renamed, or given another legal name, bank
    account holder or owner is screened in the same transaction (a session hook)."""
    if not any(type(obj) in _WATCHED for obj in (*session.new, *session.dirty)):
        return
    with session.no_autoflush:
        changed = _changed_organisations(session)
        if not changed:
            return
        if session.execute(sa.select(SanctionEntry.id).limit(1)).first() is None:
            return  # no list imported yet
        index = ListIndex.current(session)
        raised: list[ScreeningHit] = []
        for organisation in changed:
            raised += screen_organisation(organisation, index=index, session=session)
        tell_deciders(raised, session)
