"""The funding rule, in one place: which balances pay a grant, and where money coming back goes.

Pure functions over plain values (no database), unit-tested in tests/domain/funding.

* **Matching.** A restricted balance may fund a grant when every term of its restriction that
  is set matches the grant: the theme is one of the call's themes, the country one of the
  grant's countries, the region (UN M49) the region of one of them, the call the grant's call,
  and the day of the award within the restriction's period.
* **Order.** A grant is funded from the matching restricted balances first, the one whose
  period ends soonest first (no end date last; then the oldest restriction first), each giving
  what it has; unrestricted money pays the rest. Restricted money is the money with conditions
  and a deadline: using it first is how it gets used at all.
* **Returns.** What comes back from a grant (the undisbursed commitment released at closure, a
  grantee's refund, the support cost given back with it) returns to the balances that paid it,
  in proportion to what each committed. Each restricted balance gets the cumulative share
  rounded down, so it never gets back more than it gave and gets exactly what it gave when
  everything comes back; the rounding cents go to unrestricted money.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Terms:
    """A restriction's terms; None means "any"."""

    theme: str | None = None
    region: str | None = None
    country: str | None = None
    call_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class GrantProfile:
    """What a restriction is matched against."""

    themes: frozenset[str]
    countries: frozenset[str]
    regions: frozenset[str]
    call_id: int | None
    on: date


@dataclass(frozen=True, slots=True)
class RestrictedBalance:
    restriction_id: int
    account_id: int
    available: int
    terms: Terms


@dataclass(frozen=True, slots=True)
class Draw:
    """Part of a grant's commitment taken from one balance (restriction None: unrestricted)."""

    restriction_id: int | None
    account_id: int
    amount: int


def matches(terms: Terms, grant: GrantProfile) -> bool:
    """Whether money with these terms may fund this grant."""
    return (
        (terms.theme is None or terms.theme in grant.themes)
        and (terms.country is None or terms.country.upper() in grant.countries)
        and (terms.region is None or terms.region in grant.regions)
        and (terms.call_id is None or terms.call_id == grant.call_id)
        and (terms.starts_on is None or terms.starts_on <= grant.on)
        and (terms.ends_on is None or grant.on <= terms.ends_on)
    )


def _order(balance: RestrictedBalance) -> tuple[bool, date, int]:
    ends = balance.terms.ends_on
    return (ends is None, ends or date.max, balance.restriction_id)


def matching(balances: Iterable[RestrictedBalance], grant: GrantProfile) -> list[RestrictedBalance]:
    """The restricted balances that may fund the grant, in the order they are used."""
    return sorted((b for b in balances if b.available > 0 and matches(b.terms, grant)), key=_order)


def fundable(
    amount_unrestricted: int, balances: Iterable[RestrictedBalance], grant: GrantProfile
) -> int:
    """Everything that could fund this grant now."""
    return max(amount_unrestricted, 0) + sum(b.available for b in matching(balances, grant))


def plan(
    amount: int,
    *,
    grant: GrantProfile,
    restricted: Iterable[RestrictedBalance],
    unrestricted_account_id: int,
    unrestricted_available: int,
) -> list[Draw] | None:
    """The draws that fund ``amount`` for this grant, or None when there is not enough."""
    draws: list[Draw] = []
    remaining = amount
    for balance in matching(restricted, grant):
        if remaining == 0:
            break
        take = min(balance.available, remaining)
        draws.append(Draw(balance.restriction_id, balance.account_id, take))
        remaining -= take
    if remaining > 0:
        if unrestricted_available < remaining:
            return None
        draws.append(Draw(None, unrestricted_account_id, remaining))
    return draws


def split_return(
    amount: int,
    *,
    returned_before: int,
    sources: Sequence[Draw],
    unrestricted_account_id: int,
) -> list[Draw]:
    """Split money coming back from a grant over the balances that funded it.

    ``sources`` are the grant's commitment draws; ``returned_before`` what came back before.
    Restricted sources get their cumulative proportional share rounded down; unrestricted
    money the rest (including the rounding cents). Draws of zero are left out.
    """
    committed = sum(s.amount for s in sources)
    parts: dict[tuple[int | None, int], int] = {}
    given = 0
    if committed > 0:
        for source in sources:
            if source.restriction_id is None:
                continue
            after = (returned_before + amount) * source.amount // committed
            before = returned_before * source.amount // committed
            share = max(0, min(after - before, amount - given))
            if share:
                key: tuple[int | None, int] = (source.restriction_id, source.account_id)
                parts[key] = parts.get(key, 0) + share
                given += share
    if amount - given:
        pool: tuple[int | None, int] = (None, unrestricted_account_id)
        parts[pool] = parts.get(pool, 0) + amount - given
    return [Draw(rid, account, value) for (rid, account), value in parts.items()]


def proportional(total: int, weights: Mapping[object, int]) -> dict[object, int]:
    """``total`` shared in proportion to ``weights`` (largest remainders; adds up exactly).

    Ties in the remainders go to the earlier key (the mapping's order). Keys of zero weight
    get nothing; when every weight is zero the result is empty.
    """
    positive = {k: w for k, w in weights.items() if w > 0}
    whole = sum(positive.values())
    if whole == 0 or total == 0:
        return {}
    floors = {k: total * w // whole for k, w in positive.items()}
    left = total - sum(floors.values())
    order = sorted(positive, key=lambda k: -(total * positive[k] % whole))
    for key in order[:left]:
        floors[key] += 1
    return floors
