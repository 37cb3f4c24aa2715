"""The search page: what each role finds (never a record it may not open), the matching
(accents, Arabic script, countries, references, words of a summary), the safe highlighting and
the header's box."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.accounts.models import Role
from app.applications.models import (
    ApplicationStatus,
    BudgetCategory,
    BudgetLine,
    WorkplanActivity,
)
from app.platform.extensions import db
from tests.applications_support import (
    applicant_of,
    ngo_organisation,
    open_call,
    started_application,
)
from tests.donations_support import institutional_donor
from tests.factories import user_with
from tests.grants_support import active_grant, fund
from tests.statements import counting


def _page(client: Any, query: str, **params: Any) -> str:
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _proposal(
    name: str = "Safe Haven", summary: str = "", country: str = "NG", call: Any = None
) -> Any:
    application = started_application(
        call=call or open_call(),
        organisation=ngo_organisation(name=name, country=country, registration_number=name),
    )
    application.title = "Shelter for survivors"
    application.summary = summary
    application.countries = [country]
    db.session.flush()
    return application


def test_a_phrase_of_the_summary_finds_the_application_and_is_marked(client, sign_in):
    application = _proposal(summary="We will open a night shelter for boys in Kano state.")
    sign_in(user_with(Role.FUND_MANAGER))
    page = _page(client, "NIGHT shelter")
    assert f"/applications/{application.id}" in page
    assert "<mark>night</mark> <mark>shelter</mark>" in page
    assert f"/applications/{application.id}" not in _page(client, "day shelter")


def test_words_of_the_work_plan_and_the_budget_find_the_application(client, sign_in):
    application = _proposal(name="Pine", summary="Reintegration.")
    application.activities.append(
        WorkplanActivity(position=1, description="Vocational café", start_month=1, end_month=6)
    )
    application.budget_lines.append(
        BudgetLine(
            position=1,
            category=BudgetCategory.DIRECT_ASSISTANCE,
            description="Sewing machines",
            quantity=2,
            unit_cost=100_00,
        )
    )
    db.session.flush()
    sign_in(user_with(Role.FUND_MANAGER))
    for query in ("vocational cafe", "sewing reintegration", "shelter machines"):
        assert f"/applications/{application.id}" in _page(client, query), query
    assert f"/applications/{application.id}" not in _page(client, "sewing bakery")


def test_an_organisation_is_found_with_or_without_accents(client, sign_in):
    organisation = ngo_organisation(name="Association Crème du Sénégal", country="SN")
    sign_in(user_with(Role.FUND_MANAGER))
    for query in ("creme senegal", "CRÈME", "sénégal"):
        assert f"/organisations/{organisation.id}" in _page(client, query), query
    assert "<mark>Crème</mark>" in _page(client, "creme")


def test_an_organisation_named_in_arabic_is_found_in_arabic(client, sign_in):
    organisation = ngo_organisation(name="جَمْعِيَّة الأَمَل", country="JO")
    sign_in(user_with(Role.FUND_MANAGER))
    # Written without the short vowels and with a bare alef, as people type it.
    assert f"/organisations/{organisation.id}" in _page(client, "جمعية الامل")
    assert f"/organisations/{organisation.id}" not in _page(client, "جمعية النور")


def test_a_country_name_in_any_language_or_its_code_finds_what_is_there(client, sign_in):
    application = _proposal(name="Bridge", summary="Reintegration.", country="KE")
    sign_in(user_with(Role.FUND_MANAGER))
    for query in ("Kenya", "kenia", "كينيا", "KE"):
        assert f"/applications/{application.id}" in _page(client, query), query


def test_a_country_named_in_several_words_finds_what_is_there(client, sign_in):
    ivorian = _proposal(name="Lagune", summary="Reintegration.", country="CI")
    british = _proposal(name="Harbour", summary="Reintegration.", country="GB", call=ivorian.call)
    sign_in(user_with(Role.FUND_MANAGER))
    for query in ("Côte d'Ivoire", "cote d\u2019ivoire", "Côte d\u2019Ivoire reintegration", "CI"):
        page = _page(client, query)
        assert f"/applications/{ivorian.id}" in page, query
        assert f"/applications/{british.id}" not in page, query
    for query in ("United Kingdom", "royaume-uni", "Reino Unido"):
        assert f"/applications/{british.id}" in _page(client, query), query
    # Words that only begin a country's name are words like any other.
    assert f"/applications/{ivorian.id}" not in _page(client, "Côte sauvage")


def test_a_grant_is_found_by_its_reference(client, sign_in):
    fund(1_000_000_00)
    grant = active_grant()
    sign_in(user_with(Role.FINANCE))
    page = _page(client, grant.reference.lower())
    assert f"/grants/{grant.id}" in page
    assert f"<mark>{grant.reference}</mark>" in page


def test_what_was_typed_is_escaped_before_it_is_marked(client, sign_in):
    _proposal(name="Tom <b>& Jerry</b>")
    sign_in(user_with(Role.FUND_MANAGER))
    page = _page(client, "<b>&")
    assert "Tom <mark>&lt;b&gt;&amp;</mark> Jerry&lt;/b&gt;" in page
    assert "<b>&" not in page


def test_an_ngo_member_may_not_use_staff_search_nor_sees_the_box(client, sign_in):
    organisation = ngo_organisation(name="Lonely Light")
    sign_in(applicant_of(organisation))
    assert client.get("/search", query_string={"q": "lonely"}).status_code == 403
    assert 'id="header-search"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.DONOR, Role.REVIEWER, Role.ADMIN])
def test_roles_without_lists_may_not_search(client, sign_in, role):
    sign_in(user_with(role))
    assert client.get("/search", query_string={"q": "x"}).status_code == 403


def test_each_role_finds_only_the_kinds_it_may_open(client, sign_in):
    fund(1_000_000_00)
    grant = active_grant()
    application = _proposal(
        name="Orchid Aid", summary="Orchid shelter.", call=grant.application.call
    )
    grant.title = "Orchid grant"
    donor = institutional_donor("Orchidland")
    db.session.flush()
    expected = {
        Role.FUND_MANAGER: {"applications", "organisations", "grants", "contributions?donor"},
        Role.FINANCE: {"grants", "contributions?donor"},
        Role.AUDITOR: {"applications", "organisations", "grants", "contributions?donor"},
        Role.BOARD: set(),
    }
    pages = {
        "applications": f"/applications/{application.id}",
        "organisations": f"/organisations/{application.organisation_id}",
        "grants": f"/grants/{grant.id}",
        "contributions?donor": f"/donations/contributions?donor={donor.id}",
    }
    for role, kinds in expected.items():
        client.get("/auth/logout")
        sign_in(user_with(role))
        page = _page(client, "orchid")
        assert {kind for kind, url in pages.items() if url in page} == kinds, role
        assert 'id="header-search"' in page


def test_the_board_finds_only_applications_that_reached_it(client, sign_in):
    call = open_call()
    draft = _proposal(name="Willow One", summary="Willow project.", call=call)
    at_board = _proposal(name="Willow Two", summary="Willow project.", call=call)
    at_board.status = ApplicationStatus.RECOMMENDED
    db.session.flush()
    sign_in(user_with(Role.BOARD))
    page = _page(client, "willow")
    assert f"/applications/{at_board.id}" in page
    assert f"/applications/{draft.id}" not in page
    assert f"/organisations/{at_board.organisation_id}" not in page


def test_results_are_paginated_per_kind(client, sign_in):
    for number in range(12):
        ngo_organisation(name=f"Maple {number}", registration_number=f"RC-M{number}")
    sign_in(user_with(Role.FUND_MANAGER))
    first = _page(client, "maple")
    assert len(re.findall(r'href="/organisations/\d+"', first)) == 10
    more = _page(client, "maple", kind="organisation", page=2)
    assert len(re.findall(r'href="/organisations/\d+"', more)) == 2


def test_the_page_runs_as_many_queries_whatever_it_finds(app, client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER))

    def queries() -> int:
        with counting() as statements:
            _page(client, "cedar")
        return len(statements)

    call = open_call()
    _proposal(name="Cedar 0", summary="Cedar.", call=call)
    few = queries()
    for number in range(1, 8):
        _proposal(name=f"Cedar {number}", summary="Cedar.", call=call)
    assert queries() == few
