"""A form sent with mistakes answers as the GOV.UK Design System does, whatever the page: at
the top, "There is a problem" and one link per mistake to its field (a budget cell too), focused
first; the title starts with "Error:"; each field keeps its own sentence next to it."""

from __future__ import annotations

import re

from app.accounts.models import Role
from tests.applications_support import applicant_of, started_application
from tests.factories import user_with


def _summary(response) -> tuple[str, list[tuple[str, str]], str]:
    """The page's title, the summary's (href, text) links, and the page."""
    page = response.get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    box = re.search(r'<div class="alert alert-danger error-summary"(.*?)</div>', page, re.S)
    assert title and box, "no error summary on the page"
    assert "autofocus" in box.group(1).split(">")[0] and 'tabindex="-1"' in box.group(1)
    assert "There is a problem" in box.group(1)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(1))
    return title.group(1).strip(), links, page


def _each_link_reaches_its_field(links, page) -> None:
    for target, _text in links:
        field = re.search(rf'<(input|select|textarea)[^>]*\bid="{re.escape(target)}"[^>]*>', page)
        assert field, f"the summary links to #{target}, which is no field"
        assert 'aria-invalid="true"' in field.group(0) or "-0" in target
        # The field's own sentence, next to it.
        assert f'id="{target.removesuffix("-0")}-error"' in page


def test_sign_in(client):
    response = client.post("/login", data={"email": "not an address", "password": ""})
    title, links, page = _summary(response)
    assert title.startswith("Error: ")
    assert {target for target, _ in links} >= {"email", "password"}
    assert any(text.startswith("Password: ") for _, text in links)
    _each_link_reaches_its_field(links, page)


def test_registration(client):
    response = client.post("/register", data={"full_name": "", "email": "x"})
    title, links, page = _summary(response)
    assert title.startswith("Error: ")
    assert {"full_name", "email"} <= {target for target, _ in links}
    _each_link_reaches_its_field(links, page)


def test_a_password_reset_request(client):
    title, links, page = _summary(client.post("/reset", data={"email": "nowhere"}))
    assert title.startswith("Error: ") and [t for t, _ in links] == ["email"]
    _each_link_reaches_its_field(links, page)


def test_a_budget_cell(client, sign_in):
    application = started_application()
    sign_in(applicant_of(application.organisation))
    base = f"/applications/{application.id}/sections/budget"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(base).text)
    assert version
    response = client.post(
        base,
        data={
            "version": version.group(1),
            "lines-0-category": "direct_assistance",
            "lines-0-description": "Shelter nights",
            "lines-0-quantity": "100",
            "lines-0-unit_cost": "forty-five",
            "lines-1-category": "other",
            "lines-2-category": "other",
        },
    )
    title, links, page = _summary(response)
    assert title.startswith("Error: ")
    assert [target for target, _ in links] == ["lines-0-unit_cost"]
    assert ", line 1: " in links[0][1]
    _each_link_reaches_its_field(links, page)


def test_a_new_call(client, sign_in):
    sign_in(user_with(Role.FUND_MANAGER))
    response = client.post("/calls/new", data={"reference": "", "currency": "USD"})
    title, links, page = _summary(response)
    assert title.startswith("Error: ")
    assert "reference" in {target for target, _ in links}
    _each_link_reaches_its_field(links, page)


def test_a_page_without_mistakes_has_no_summary_and_no_error_title(client):
    page = client.get("/login").get_data(as_text=True)
    assert "error-summary" not in page and "<title>Error" not in page
    assert "errors.js" not in page
