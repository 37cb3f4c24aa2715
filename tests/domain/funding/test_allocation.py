"""The funding rule (app/funding/allocation.py), without a database."""

from __future__ import annotations

from datetime import date

from app.funding.allocation import (
    Draw,
    GrantProfile,
    RestrictedBalance,
    Terms,
    matches,
    plan,
    proportional,
    split_return,
)

DAY = date(2027, 3, 1)
GRANT = GrantProfile(
    themes=frozenset({"children"}),
    countries=frozenset({"KE"}),
    regions=frozenset({"002"}),
    call_id=7,
    on=DAY,
)
POOL = 999


def balance(rid: int, available: int, **terms: object) -> RestrictedBalance:
    return RestrictedBalance(rid, 100 + rid, available, Terms(**terms))  # type: ignore[arg-type]


def test_every_term_that_is_set_must_match() -> None:
    assert matches(Terms(theme="children"), GRANT)
    assert matches(Terms(region="002", country="ke", call_id=7), GRANT)
    assert matches(Terms(starts_on=DAY, ends_on=DAY), GRANT)
    assert not matches(Terms(theme="older_persons"), GRANT)
    assert not matches(Terms(theme="children", country="UG"), GRANT)
    assert not matches(Terms(region="150"), GRANT)
    assert not matches(Terms(call_id=8), GRANT)
    assert not matches(Terms(ends_on=date(2027, 2, 28)), GRANT)
    assert not matches(Terms(starts_on=date(2027, 3, 2)), GRANT)


def test_matching_restricted_money_first_soonest_end_first_then_the_pool() -> None:
    balances = [
        balance(1, 500, theme="children"),  # no end date: last of the restricted
        balance(2, 300, theme="children", ends_on=date(2027, 12, 31)),
        balance(3, 200, country="KE", ends_on=date(2027, 6, 30)),
        balance(4, 10_000, theme="older_persons"),  # does not match: never used
    ]
    draws = plan(
        1200,
        grant=GRANT,
        restricted=balances,
        unrestricted_account_id=POOL,
        unrestricted_available=1000,
    )
    assert draws == [Draw(3, 103, 200), Draw(2, 102, 300), Draw(1, 101, 500), Draw(None, POOL, 200)]


def test_restricted_money_alone_when_it_is_enough() -> None:
    draws = plan(
        250,
        grant=GRANT,
        restricted=[balance(1, 300, theme="children")],
        unrestricted_account_id=POOL,
        unrestricted_available=0,
    )
    assert draws == [Draw(1, 101, 250)]


def test_not_enough_is_none() -> None:
    assert (
        plan(
            1000,
            grant=GRANT,
            restricted=[balance(1, 300, theme="children")],
            unrestricted_account_id=POOL,
            unrestricted_available=699,
        )
        is None
    )


def test_returns_go_back_in_proportion_and_exactly_when_everything_comes_back() -> None:
    sources = [Draw(1, 101, 333), Draw(2, 102, 333), Draw(None, POOL, 334)]
    first = split_return(100, returned_before=0, sources=sources, unrestricted_account_id=POOL)
    assert sum(d.amount for d in first) == 100
    assert {d.restriction_id: d.amount for d in first} == {1: 33, 2: 33, None: 34}
    rest = split_return(900, returned_before=100, sources=sources, unrestricted_account_id=POOL)
    back: dict[int | None, int] = {}
    for draw in first + rest:
        back[draw.restriction_id] = back.get(draw.restriction_id, 0) + draw.amount
    assert back == {1: 333, 2: 333, None: 334}


def test_rounding_cents_go_to_the_pool_never_over_a_restricted_source() -> None:
    sources = [Draw(1, 101, 1), Draw(2, 102, 1), Draw(3, 103, 1)]
    parts = split_return(1, returned_before=0, sources=sources, unrestricted_account_id=POOL)
    assert parts == [Draw(None, POOL, 1)]
    total: dict[int | None, int] = {}
    before = 1
    for _ in range(2):
        for draw in split_return(
            1, returned_before=before, sources=sources, unrestricted_account_id=POOL
        ):
            total[draw.restriction_id] = total.get(draw.restriction_id, 0) + draw.amount
        before += 1
    assert all(total.get(rid, 0) <= 1 for rid in (1, 2, 3))


def test_proportional_adds_up_exactly() -> None:
    shares = proportional(100, {"a": 1, "b": 1, "c": 1})
    assert sum(shares.values()) == 100
    assert shares == {"a": 34, "b": 33, "c": 33}
    assert proportional(10, {"a": 0}) == {}
    assert proportional(7, {"a": 3, "b": 0, "c": 1}) == {"a": 5, "c": 2}
