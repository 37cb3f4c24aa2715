"""Dashboards, the period statement, the annual report, exports, IATI and the public page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from app.accounts.permissions import Permission, permissions_of
from app.applications.models import ApplicationStatus
from app.grants.models import NOT_RECORDED
from app.jobs.services import enqueue
from app.jobs.web.wake import wake_worker
from app.ledger import chart
from app.platform.categories import AgeGroup, FormOfExploitation, Sex, Theme
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.settings import settings
from app.reporting import activity, balances, contributions, grants, people
from app.reporting.annual import FIRST_YEAR, LAST_YEAR, annual_report
from app.reporting.iati import iati_activities
from app.reporting.iati_quality import iati_quality
from app.reporting.people import sex_age_key
from app.reporting.statement import statement
from app.reporting.transparency import transparency
from app.reporting.web import labels
from app.reporting.web.cache import (
    cache_enabled,
    cached,
    data_version,
    public_data_version,
    whole_page_for_visitors,
)
from app.reporting.web.charts import BarChart, ColumnChart, bar_chart, column_chart
from app.reporting.web.export import file_chunks, spooled
from app.reporting.web.export_jobs import EXPORT_JOB, ExportRequest, build_export, export_size
from app.reporting.web.forms import TRANSFERS, ExportForm, PeriodForm
from app.reporting.web.iati import publisher, ruleset
from app.reporting.web.work_queue import waiting_for
from app.web.access import public, requires
from app.web.display import country_name, money, number
from app.web.labels import choices, label

bp = Blueprint("reporting", __name__, template_folder="../templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_YEARS = 6
CHART_MONTHS = 24
TOP_COUNTRIES = 15
# The public page names its largest donors and adds up the rest; the recognition page (/donors)
# names every one, year by year. (The JSON API gives its full list, up to 200.)
TRANSPARENCY_DONORS_SHOWN = 25


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "line_label": labels.line_label,
        "section_title": labels.section_title,
        "donor_kind_label": labels.donor_kind_label,
        "region_label": labels.region_label,
        "currency": current_app.config["FUNCTIONAL_CURRENCY"],
        "Sex": Sex,
        "Theme": Theme,
        "FormOfExploitation": FormOfExploitation,
        "AgeGroup": AgeGroup,
        "sex_age_key": sex_age_key,
        "as_money": lambda amount: money(amount, _currency()),
        "as_number": number,
    }


def _currency() -> str:
    return str(current_app.config["FUNCTIONAL_CURRENCY"])


def _months_back(today: date, count: int) -> date:
    year, month = today.year, today.month - (count - 1)
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _rendered(template: str, **context: Any) -> Markup:
    """A part of a page, rendered (autoescaped) once to be reused inside the page's layout."""
    return Markup(render_template(template, **context))  # noqa: S704 - autoescaped output


def _country(code: str) -> str:
    return country_name(code) if code else _("Country not given")


def _charts(today: date, version: tuple[Any, ...] | None = None) -> dict[str, Any]:
    currency = _currency()
    contributions_chart = _contributions_chart(today, version)
    country_lines = cached("by_country", grants.by_country, version)
    counted = cached("people_assisted", people.people_assisted, version)
    return {
        "contributions_chart": contributions_chart,
        "region_chart": _region_chart(country_lines, currency),
        "country_chart": _country_chart(country_lines, currency),
        "country_lines": country_lines,
        "sex_age_chart": _sex_age_chart(counted),
        "exploitation_chart": _exploitation_chart(counted),
        "disbursement_chart": _disbursement_chart(today, version),
        "people": counted,
    }


def _contributions_chart(today: date, version: tuple[Any, ...] | None) -> ColumnChart:
    since_year = today.year - CHART_YEARS + 1
    by_year = cached(
        ("by_year_and_kind", since_year),
        lambda: contributions.by_year_and_kind(since_year=since_year),
        version,
    )
    years = list(range(today.year - CHART_YEARS + 1, today.year + 1))
    kinds = sorted({kind for amounts in by_year.values() for kind in amounts})
    return column_chart(
        [str(year) for year in years],
        [
            (labels.donor_kind_label(kind), [by_year.get(year, {}).get(kind, 0) for year in years])
            for kind in kinds
        ],
    )


def _region_chart(country_lines: list[grants.CountryLine], currency: str) -> BarChart:
    regions = grants.by_region(country_lines, settings().regions.overrides)
    return bar_chart(
        [(labels.region_label(r.region), r.amount, money(r.amount, currency)) for r in regions]
    )


def _country_chart(country_lines: list[grants.CountryLine], currency: str) -> BarChart:
    return bar_chart(
        [
            (_country(line.country), line.amount, money(line.amount, currency))
            for line in country_lines[:TOP_COUNTRIES]
        ],
        colour="#2b7a3d",
    )


def _sex_age_chart(counted: people.PeopleAssisted) -> BarChart:
    return bar_chart(
        [
            (
                f"{label(sex)} — {label(age)}",
                counted.sex_age[sex_age_key(sex, age)],
                number(counted.sex_age[sex_age_key(sex, age)]),
            )
            for sex in Sex
            for age in AgeGroup
        ],
        colour="#7b3fa0",
    )


def _exploitation_chart(counted: people.PeopleAssisted) -> BarChart:
    bars = [(label(form), counted.exploitation.get(form.value, 0)) for form in FormOfExploitation]
    # Reports written before the cross table, or people whose exploitation is not known.
    if counted.exploitation.get(NOT_RECORDED):
        bars.append((_("Form of exploitation not known"), counted.exploitation[NOT_RECORDED]))
    return bar_chart([(name, n, number(n)) for name, n in bars], colour="#a3122f")


def _disbursement_chart(today: date, version: tuple[Any, ...] | None) -> ColumnChart:
    since = _months_back(today, CHART_MONTHS)
    months = cached(
        ("disbursements_by_month", since),
        lambda: grants.disbursements_by_month(since=since),
        version,
    )
    return column_chart(
        [f"{year}-{month:02d}" for year, month in months],
        [(_("Disbursed"), list(months.values()))],
    )


def _tile_links(granted: frozenset[Permission]) -> dict[str, str]:
    """Where each key figure's tile leads, for a reader who may open it: the list of the records
    it counts, or the ledger account whose balance it is."""
    links: dict[str, str] = {}
    if Permission.VIEW_ALL_CONTRIBUTIONS in granted:
        links["restricted"] = url_for("donations.restricted_balances")
    if Permission.VIEW_ALL_APPLICATIONS in granted:
        links["overdue_reports"] = url_for("grants.reports", state="overdue")
    if Permission.VIEW_LEDGER not in granted:
        return links
    links["overdue_tranches"] = url_for("grants.disbursements", state="overdue")
    links["committed"] = links["released"] = url_for("ledger.grant_accounts")
    for tile, key in (
        ("available", chart.FUND_AVAILABLE),
        ("pledged", chart.FUND_PLEDGED),
        ("disbursed", chart.CASH_BANK),
        ("psc", chart.PSC_INCOME),
    ):
        account = chart.find_account(key)
        if account is not None:
            links[tile] = url_for("ledger.statement", account_id=account.id)
    return links


@bp.get("/dashboard")
@requires(Permission.VIEW_DASHBOARD)
def dashboard() -> Any:
    """Key figures from the ledger, applications and what is overdue, and the charts."""
    today = utcnow().date()
    version = data_version() if cache_enabled() else None

    def body() -> Markup:
        return _rendered(
            "reporting/_dashboard_body.html",
            figures=cached("key_figures", balances.key_figures, version),
            applications=cached("applications_by_status", activity.applications_by_status, version),
            ApplicationStatus=ApplicationStatus,
            overdue=cached(("overdue", today), lambda: activity.overdue(today), version),
            tiles=_tile_links(permissions_of(current_user)),
            today=today,
            **_charts(today, version),
        )

    # The content differs only by language, time zone and what the reader may open from it.
    reader = (str(get_locale()), str(get_timezone()), permissions_of(current_user), today)
    return render_template(
        "reporting/dashboard.html",
        body=cached(("dashboard_html", reader), body, version),
        queue=waiting_for(current_user, on=today),
    )


@bp.get("/reports/statement")
@requires(Permission.VIEW_DASHBOARD)
def statement_page() -> Any:
    today = utcnow().date()
    args = request.args or MultiDict({"start": f"{today.year}-01-01", "end": str(today)})
    form = PeriodForm(args)
    if not form.validate():
        return render_template("reporting/statement.html", form=form, result=None), 400
    return render_template("reporting/statement.html", form=form, result=statement(form.period))


@bp.get("/reports/annual")
@requires(Permission.VIEW_DASHBOARD)
def annual_index() -> Any:
    """This year's report (so far); other years are linked from it."""
    return annual(utcnow().year)


@bp.get("/reports/annual/<int:year>")
@requires(Permission.VIEW_DASHBOARD)
def annual(year: int) -> Any:
    """The annual report to donors, printable."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    report = annual_report(year)
    return render_template(
        "reporting/annual.html",
        report=report,
        country=_country,
        this_year=utcnow().year,
    )


# --- exports ---------------------------------------------------------------------------------


def _download(chunks: Any, *, filename: str, mimetype: str) -> Response:
    """A download; ``chunks`` reading the database must be wrapped in stream_with_context."""
    return Response(
        chunks,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/reports/exports")
@requires(Permission.EXPORT_DATA)
def exports() -> Any:
    """Choose data, period and format; the file downloads."""
    form = ExportForm(request.args)
    if not request.args:
        today = utcnow().date()
        form.start.data, form.end.data = date(today.year, 1, 1), today
        return render_template("reporting/exports.html", form=form)
    if not form.validate():
        return render_template("reporting/exports.html", form=form), 400
    period = form.period
    wanted = ExportRequest(
        table=str(form.table.data), format=str(form.format.data), start=period.start, end=period.end
    )
    size = export_size(wanted)
    if size > settings().jobs.export_threshold_rows:
        # Too large to make during the request: a worker makes it; its page shows how far.
        job = enqueue(
            actor=current_user, kind=EXPORT_JOB, parameters=wanted.parameters(), total=size
        )
        db.session.commit()
        wake_worker()
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    if wanted.table == TRANSFERS and wanted.format == "csv":
        # The ledger's own export, as it is.
        return redirect(url_for("ledger.export", since=str(period.start), until=str(period.end)))
    # Small: made now (a zip cannot be sent before it is complete), by the workers' function.
    target = spooled()
    built = build_export(wanted.parameters(), target, lambda _done: None)
    return _download(file_chunks(target), filename=built.file_name, mimetype=built.content_type)


@bp.get("/reports/iati.xml")
@requires(Permission.EXPORT_DATA)
def iati() -> Any:
    """IATI 2.03 activities: the fund's grants with their transactions."""
    # Written during the request, a grant at a time, to a file that spills to disk when large.
    target = spooled()
    for chunk in iati_activities(publisher()):
        target.write(chunk.encode())
    return _download(
        file_chunks(target),
        filename=f"iati-activities-{utcnow().date()}.xml",
        mimetype="application/xml",
    )


@bp.get("/reports/iati/quality")
@requires(Permission.EXPORT_DATA)
def iati_quality_page() -> Any:
    """Every IATI Standard Ruleset rule each activity of the file breaks, and why."""
    rules = ruleset()
    report = iati_quality(publisher(), rules) if rules is not None else None
    return render_template(
        "reporting/iati_quality.html",
        report=report,
        may_correct=Permission.AWARD_GRANT in permissions_of(current_user),
        groups=choices(Theme),
    )


# --- public ----------------------------------------------------------------------------------


@bp.get("/reports/iati-organisation.xml")
@public
def iati_organisation() -> Any:
    """Where the organisation file was first served: now the published one's address."""
    return redirect(url_for("open_data.iati_organisation_file"), code=301)


@bp.get("/transparency")
@public
def transparency_page() -> Any:
    """What came in, what went out and whom it helped, for anyone; small counts hidden."""
    version = public_data_version()

    def body() -> Markup:
        data = cached("transparency", transparency, version)
        return _rendered(
            "reporting/_transparency_body.html",
            data=data,
            country=_country,
            donors_shown=TRANSPARENCY_DONORS_SHOWN,
        )

    def page(**overrides: Any) -> str:
        reader = (str(get_locale()), str(get_timezone()))
        return render_template(
            "reporting/transparency.html",
            body=cached(("transparency_html", reader), body, version),
            **overrides,
        )

    return whole_page_for_visitors("transparency", page, version)
