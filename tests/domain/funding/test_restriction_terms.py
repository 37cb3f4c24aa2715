"""Restriction terms no grant could ever match are refused, each named by its field; a
restriction can be changed or lifted only while none of the pledge's money has moved."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from app.donations import services as donations
from app.donations.services.restrictions import (
    RestrictionTerms,
    TermRefused,
    change_restriction,
    lift_restriction,
    restrict_pledge,
)
from app.funding.services import restriction_of_pledge
from app.platform.db import utcnow
from app.platform.errors import Conflict
from tests.applications_support import open_call
from tests.donations_support import finance_user
from tests.funding_support import donor, paid_pledge
from tests.grants_support import USD
from tests.settings_support import change_settings


def _fresh():
    return donations.make_pledge(
        actor=finance_user(), donor=donor(), amount=100 * USD, currency="USD", year=utcnow().year
    )


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (RestrictionTerms(region="002", country="DE"), "country"),
        (RestrictionTerms(region="150", country="KE"), "country"),
        (RestrictionTerms(country="ZZ"), "country"),
        (RestrictionTerms(region="999"), "region"),
        (RestrictionTerms(theme="nonsense"), "theme"),
    ],
)
def test_contradictory_terms_are_refused_on_their_field(terms, field):
    with pytest.raises(TermRefused) as refused:
        restrict_pledge(actor=finance_user(), pledge=_fresh(), terms=terms)
    assert refused.value.field == field


def test_the_region_follows_the_deployments_overrides(app, monkeypatch):
    change_settings(monkeypatch, app, "regions", overrides=MappingProxyType({"EG": "142"}))
    restriction = restrict_pledge(
        actor=finance_user(), pledge=_fresh(), terms=RestrictionTerms(region="142", country="EG")
    )
    assert restriction.country == "EG"
    with pytest.raises(TermRefused):
        restrict_pledge(
            actor=finance_user(),
            pledge=_fresh(),
            terms=RestrictionTerms(region="002", country="EG"),
        )


def test_a_call_that_could_never_fund_the_terms_is_refused():
    call = open_call()
    call.themes = ["children"]
    call.eligible_countries = ["KE", "UG"]
    for terms, field in [
        (RestrictionTerms(call_id=call.id, theme="older_persons"), "theme"),
        (RestrictionTerms(call_id=call.id, country="DE"), "country"),
        (RestrictionTerms(call_id=call.id, region="150"), "region"),
    ]:
        with pytest.raises(TermRefused) as refused:
            restrict_pledge(actor=finance_user(), pledge=_fresh(), terms=terms)
        assert refused.value.field == field
    fine = restrict_pledge(
        actor=finance_user(),
        pledge=_fresh(),
        terms=RestrictionTerms(call_id=call.id, theme="children", region="002", country="KE"),
    )
    assert fine.call_id == call.id


def test_changed_and_lifted_only_before_money_moves():
    pledge = _fresh()
    restrict_pledge(actor=finance_user(), pledge=pledge, terms=RestrictionTerms(country="KE"))
    changed = change_restriction(
        actor=finance_user(), pledge=pledge, terms=RestrictionTerms(region="002")
    )
    assert (changed.country, changed.region) == (None, "002")
    with pytest.raises(TermRefused):
        change_restriction(
            actor=finance_user(), pledge=pledge, terms=RestrictionTerms(region="002", country="FR")
        )
    lift_restriction(actor=finance_user(), pledge=pledge)
    assert restriction_of_pledge(pledge.id) is None
    with pytest.raises(Conflict, match="not restricted"):
        lift_restriction(actor=finance_user(), pledge=pledge)

    paid, restriction = paid_pledge(
        donor("Sweden"), 1_000 * USD, terms=RestrictionTerms(country="KE")
    )
    assert restriction is not None
    with pytest.raises(Conflict, match="already arrived"):
        change_restriction(actor=finance_user(), pledge=paid, terms=RestrictionTerms(country="UG"))
    with pytest.raises(Conflict, match="already arrived"):
        lift_restriction(actor=finance_user(), pledge=paid)
