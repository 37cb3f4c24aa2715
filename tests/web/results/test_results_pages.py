"""The results pages: the proposal's Results section in French with local numbers (and its
autosave), the report's actuals page, the grant's progress table, the fund manager's
indicator list, the JSON API, and the public and annual pages' totals."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator

from app.accounts.models import Role
from app.applications import services as applications
from app.applications.services import SummaryData
from app.grants.models import ReportKind
from app.grants.services import reports as grant_reports
from app.platform.extensions import db
from app.results import services as results
from app.results.models import IndicatorUnit
from app.web.api import openapi_document
from tests.applications_support import applicant_of, ngo_organisation, started_application
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, manager, report_data, report_of, signatory
from tests.results_support import framework_for, standard
from tests.web.api.test_api_v1 import bearer

FR = {"Accept-Language": "fr"}
NNBSP = "\u202f"  # French groups thousands with a narrow no-break space


def _version(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert match
    return match.group(1)


def _draft():
    application = started_application()
    owner = applicant_of(application.organisation)
    applications.save_section(
        actor=owner,
        application=application,
        data=SummaryData("Safe houses", "Shelter.", "en", 24),
        expected_version=None,
    )
    return application, owner


def test_the_results_section_in_french_takes_local_numbers_and_adds_rows(client, sign_in):
    application, owner = _draft()
    sign_in(owner)
    url = f"/applications/{application.id}/sections/results"
    page = client.get(url, headers=FR).get_data(as_text=True)
    assert "Victimes de la traite hébergées en lieu sûr" in page  # the list, in French
    assert 'data-add-row="results-rows"' in page and "drafts.js" in page
    assert "rows-0-target_2" in page and "rows-0-target_3" not in page  # 24 months: 2 years
    shelter = standard("VA-SHELTER")
    form = {
        "version": _version(page),
        "rows-0-outcome": "Les survivantes se rétablissent",
        "rows-0-output": "Hébergement sûr",
        "rows-0-indicator": str(shelter.id),
        "rows-0-baseline": f"1{NNBSP}250",
        "rows-0-target_1": f"2{NNBSP}000",
        "rows-0-target_2": "2 500",
        "rows-1-outcome": "Les survivantes se rétablissent",
        "rows-1-output": "Familles retrouvées",
        "rows-1-indicator": "",
        "rows-1-own_name": "Familles réunies",
        "rows-1-unit": "number",
        "rows-1-baseline": "0",
        "rows-1-target_1": "12",
        "rows-1-target_2": "15",
    }
    saved = client.post(url, data=form, headers=FR)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    [outcome] = results.framework_of(application)
    first, second = (o.indicators[0] for o in outcome.outputs)
    assert (first.baseline, first.target(1), first.target(2)) == (1250, 2000, 2500)
    assert (second.own_name, second.unit, second.target(2)) == (
        "Familles réunies",
        IndicatorUnit.NUMBER,
        15,
    )
    again = client.get(url, headers=FR).get_data(as_text=True)
    assert 'value="1250"' in again
    assert 'list="results-outcomes"' in again

    # A number the reader's language cannot read is said next to its field, nothing saved.
    wrong = client.post(
        url, data={**form, "version": _version(again), "rows-0-baseline": "1.2.3"}, headers=FR
    )
    assert wrong.status_code == 200 and 'aria-invalid="true"' in wrong.get_data(as_text=True)

    # drafts.js's autosave posts the same form.
    autosaved = client.post(
        url,
        data={
            **form,
            "version": _version(again),
            "rows-2-indicator": str(standard("VA-LEGAL").id),
            "rows-2-outcome": "x",
            "rows-2-output": "y",
            "rows-2-target_1": "3",
        },
        headers={**FR, "X-Autosave": "1", "Accept": "application/json"},
    )
    assert autosaved.json["saved"] is True
    assert len(results.framework_indicators(application)) == 3

    check = client.get(f"/applications/{application.id}/submit").get_data(as_text=True)
    assert "Familles réunies" in check
    assert f'href="/applications/{application.id}/sections/results">Change<' in check


def _grant():
    fund(20_000 * USD)
    grant = active_grant()
    shelter, own = framework_for(
        grant.application,
        ("VA-SHELTER", IndicatorUnit.PEOPLE, [100]),
        (None, IndicatorUnit.NUMBER, [10]),
    )
    return grant, shelter, own


def test_the_grantee_gives_actuals_on_the_reports_results_page_and_the_fund_reads_them(
    client, sign_in
):
    grant, shelter, own = _grant()
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    grant_reports.save_report(actor=author, report=report, data=report_data(report))
    db.session.flush()
    sign_in(author)
    report_page = client.get(f"/grants/reports/{report.id}").get_data(as_text=True)
    assert f"/results/reports/{report.id}" in report_page
    assert "Give the actual for each indicator of the results framework." in report_page

    url = f"/results/reports/{report.id}"
    page = client.get(url, headers=FR)
    assert page.status_code == 200
    posted = client.post(
        url,
        data={f"value_{shelter.id}": f"1{NNBSP}000", f"value_{own.id}": "3"},
        headers=FR,
    )
    assert posted.status_code == 302
    saved = results.actuals_of(report)
    assert saved[shelter.id].value == 1000 and saved[own.id].value == 3
    # Off target and unexplained: the report cannot be submitted, and the page says why.
    assert "off target" in client.get(f"/grants/reports/{report.id}").get_data(as_text=True)

    # The fund reads the page; it cannot write on it; another organisation does not see it.
    sign_in(manager())
    assert client.get(url).status_code == 200
    assert client.post(url, data={f"value_{own.id}": "9"}).status_code == 403
    sign_in(applicant_of(ngo_organisation()))
    assert client.get(url).status_code == 404


def test_the_grant_page_shows_progress_against_targets(client, sign_in):
    grant, shelter, _own = _grant()
    report = report_of(grant, ReportKind.PROGRESS)
    author = signatory(grant)
    grant_reports.save_report(actor=author, report=report, data=report_data(report))
    results.save_actuals(
        actor=author,
        report=report,
        actuals={
            shelter.id: results.ActualData(40, "Opened late."),
            _own.id: results.ActualData(5, "Fewer families traced."),
        },
    )
    grant_reports.submit_report(actor=author, report=report)
    sign_in(manager())
    page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
    assert "Results against targets" in page
    assert "Victims of trafficking given safe shelter or housing" in page
    assert "40% of the end target" in page
    assert 'data-label="Achieved"' in page  # stacked on a narrow screen


def test_the_fund_manager_keeps_the_indicator_list_others_cannot(client, sign_in):
    sign_in(manager())
    listing = client.get("/results/indicators")
    assert listing.status_code == 200 and "VA-SHELTER" in listing.get_data(as_text=True)
    created = client.post(
        "/results/indicators/new",
        data={
            "code": "VA-EDU",
            "name": "Victims in education or vocational training",
            "name_fr": "Victimes en formation",
            "unit": "people",
            "sdg_target": "8.7",
            "active": "y",
        },
    )
    assert created.status_code == 302
    assert "Victimes en formation" in client.get("/results/indicators", headers=FR).get_data(
        as_text=True
    )
    duplicate = client.post(
        "/results/indicators/new",
        data={"code": "va-edu", "name": "Again", "unit": "people", "sdg_target": "8.7"},
    )
    assert duplicate.status_code == 200
    assert "Another indicator already has the code VA-EDU." in duplicate.get_data(as_text=True)
    for role in (Role.APPLICANT, Role.FINANCE, Role.REVIEWER):
        sign_in(user_with(role))
        assert client.get("/results/indicators").status_code == 403


def _api_get(app: Any, client: Any, url: str, headers: dict[str, str]) -> Any:
    response = client.get(url, headers=headers)
    schema = openapi_document(app)["paths"]["/api/v1/grants/{grant_id}/results"]["get"]
    described = schema["responses"].get(str(response.status_code))
    assert described is not None, response.status_code
    content = described.get("content", {}).get("application/json")
    if content is not None and response.status_code == 200:
        Draft202012Validator(content["schema"]).validate(response.get_json())
    return response


def test_the_api_gives_the_framework_and_progress_under_the_grant(app, client):
    grant, _shelter, _own = _grant()
    url = f"/api/v1/grants/{grant.id}/results"
    body = _api_get(app, client, url, bearer(signatory(grant))).get_json()
    [outcome] = body["outcomes"]
    indicators = outcome["outputs"][0]["indicators"]
    assert [i["standard_code"] for i in indicators] == ["VA-SHELTER", None]
    assert indicators[0]["sdg_target"] == "5.2" and indicators[0]["targets"] == [
        {"year": 1, "value": 100}
    ]
    assert indicators[0]["achieved"] is None
    assert _api_get(app, client, url, bearer(manager())).status_code == 200
    stranger = bearer(applicant_of(ngo_organisation()))
    assert _api_get(app, client, url, stranger).status_code == 404


def test_the_public_page_and_the_annual_report_show_the_standard_indicators(client, sign_in):
    assert "Results on the fund" in client.get("/transparency").get_data(as_text=True)
    sign_in(manager())
    annual = client.get("/reports/annual").get_data(as_text=True)
    assert "Results on the fund" in annual
