"""Issue 26's done-when journey: a grant's whole life with a results framework, in a browser.

Safe Haven Initiative (ngo@demo.test) sets the targets of its proposal in the Results framework
section (two indicators from the fund's list, one of its own in percent; French targets typed
the French way) and submits it. Once the grant is active it writes two reports: the people it
assisted in the one cross table (new, then continuing), and on each report's Results page the
actual per indicator; an actual off target is refused until explained. The fund manager accepts
both, and the grant page shows progress against the targets. The fund manager plans and records
a monitoring visit with two findings, each with a recommendation; the NGO answers the serious
one and the fund manager closes it. The partner score of the organisation then proposes a new
rating, line by line; the fund manager confirms it, and the organisation's next grant, awarded
from the Grants page, gets the tranche schedule of that rating.

Arranged through the services (not the browser), each for a reason:
* the application's other sections, documents and the call's own questions: journey 2 fills
  them in the browser; here the results framework is the point;
* screening, review, the Board's approval, the award and the signed agreement of the first
  grant: journey 3 does them in the browser;
* the fund requires a results framework on submission, as in production
  (RESULTS_FRAMEWORK_REQUIRED; the test settings turn it off for suites that build proposals
  without one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.accounts.models import Organisation, User
from app.applications import services as applications
from app.applications.models import Application, ApplicationStatus, BudgetCategory, RiskRating
from app.applications.services import (
    APPLICATION_DOCUMENT_KINDS,
    ActivityData,
    BeneficiariesData,
    BudgetData,
    BudgetLineData,
    FocusData,
    LocationsData,
    SummaryData,
    WorkplanData,
)
from app.calls.models import Call
from app.grants import services as grants
from app.grants.models import Grant, ReportKind, ReportStatus
from app.monitoring import performance
from app.monitoring import services as monitoring
from app.monitoring.models import PartnerRating, RecommendationStatus
from app.monitoring.web.labels import monitoring_label
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.settings import install
from app.platform.storage import get_storage
from app.questions import services as questions
from app.questions.models import QuestionKind
from app.results import services as results
from app.results.models import ResultIndicator, StandardIndicator
from app.reviews.models import BoardDecision, BoardMeeting, DecisionOutcome
from app.web.display import number, percent
from app.web.labels import label
from devtools.seed.calls_and_applications import OPEN_CALL

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ORGANISATION = "Safe Haven Initiative"
# The demo's other Board-approved application of Safe Haven, waiting to be awarded: its next grant.
NEXT_APPLICATION = "Survivor-led economic empowerment"
AMOUNT = 12_000_00
OUTCOME = "Survivors are safe and rebuild their lives"
OWN_INDICATOR = "Survivors with a written care plan"
HIGH_FINDING = "Cash given to survivors is not receipted."
HIGH_RECOMMENDATION = "Keep a signed receipt for every cash payment and send us March's."
MEDIUM_FINDING = "Case files at the second safe house are kept in an unlocked cupboard."
MEDIUM_RECOMMENDATION = "Lock the case files away and tell us when it is done."
STAFF_NOTE = "Staff only: the cashier started in January."


@dataclass(frozen=True)
class Arranged:
    application_id: int
    organisation_id: int
    title: str


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None, email
    return user


def _standard(code: str) -> int:
    found = db.session.scalar(sa.select(StandardIndicator.id).where(StandardIndicator.code == code))
    assert found is not None, code
    return int(found)


def _arrange(live: Any, lang: str) -> Arranged:
    """A draft of Safe Haven's to the open call, complete but for its results framework."""
    # The fund requires the framework, as production does (the test settings do not).
    live.app.config["RESULTS_FRAMEWORK_REQUIRED"] = True
    install(live.app)
    with live.app.app_context():
        owner = _user("ngo@demo.test")
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.name == ORGANISATION)
        )
        call = db.session.scalar(sa.select(Call).where(Call.reference == OPEN_CALL))
        assert organisation is not None and call is not None
        application = applications.start_application(
            actor=owner, call=call, organisation=organisation
        )
        title = {"en": "Safe houses and legal aid in Lagos", "fr": "Maisons sûres à Lagos"}[lang]

        def save(data: Any) -> None:
            applications.save_section(
                actor=owner, application=application, data=data, expected_version=None
            )

        save(SummaryData(title, "Two safe houses and a legal aid clinic.", "en", 8))
        save(LocationsData(["NG"], "Lagos and Ogun State"))
        save(FocusData(["armed_conflict"], ["sexual_exploitation"], ["shelter", "legal_aid"]))
        save(
            BeneficiariesData(
                ["women_and_girls"], "Referred by police.", {(Sex.FEMALE, AgeGroup.ADULT): 120}
            )
        )
        save(WorkplanData([ActivityData("Run the safe houses and the clinic", 1, 8)]))
        save(
            BudgetData(
                [
                    BudgetLineData(BudgetCategory.DIRECT_ASSISTANCE, "Safe houses", 1, 9_000_00),
                    BudgetLineData(BudgetCategory.PERSONNEL, "Lawyer", 1, 3_000_00),
                ]
            )
        )
        for kind, count in call.required_documents.items():
            if DocumentKind(kind) not in APPLICATION_DOCUMENT_KINDS:
                continue  # the organisation's file already holds these
            for n in range(1, count + 1):
                applications.upload_document(
                    actor=owner,
                    organisation=organisation,
                    application=application,
                    kind=DocumentKind(kind),
                    filename=f"{kind}-{n}.pdf",
                    data=PDF,
                    storage=get_storage(),
                )
        answers: dict[int, questions.AnswerValue] = {}
        for question in questions.questions_of(call):
            if question.kind == QuestionKind.CHOICE:
                answers[question.id] = questions.AnswerValue(choice=question.options[0]["key"])
            elif question.kind == QuestionKind.NUMBER:
                answers[question.id] = questions.AnswerValue(number=Decimal(3))
        if answers:
            questions.save_answers(actor=owner, application=application, values=answers)
        db.session.commit()
        return Arranged(application.id, organisation.id, title)


def _award_and_activate(live: Any, application_id: int) -> int:
    """The Board approves the submitted proposal; the grant is awarded and its agreement signed."""
    with live.app.app_context():
        manager = _user("fund_manager@demo.test")
        application = db.session.get(Application, application_id)
        assert application is not None and application.status == ApplicationStatus.SUBMITTED
        application.status = ApplicationStatus.APPROVED
        meeting = BoardMeeting(held_on=utcnow().date(), quorum=1, call_id=application.call_id)
        db.session.add(meeting)
        db.session.flush()
        db.session.add(
            BoardDecision(
                application_id=application.id,
                meeting_id=meeting.id,
                outcome=DecisionOutcome.APPROVED,
                approved_amount=AMOUNT,
                conditions="A monitoring visit in the first half-year.",
            )
        )
        db.session.flush()
        grant = grants.award_grant(actor=manager, application=application)
        grants.send_agreement(actor=manager, grant=grant)
        grants.accept_agreement(
            actor=_user("ngo@demo.test"),
            grant=grant,
            signatory_name="Nadia NGO",
            signatory_title="Executive Director",
            confirmed=True,
            ip="198.51.100.7",
        )
        assert grant.risk_rating == RiskRating.LOW and len(grant.tranches) == 2
        db.session.commit()
        return grant.id


# --------------------------------------------------------------------------- small helpers


def _flash(actor: Any, message: str, **variables: Any) -> None:
    expected = actor.t(message, **variables)
    texts = actor.page.locator(".alert").all_inner_texts()
    assert any(expected in text for text in texts), f"no {expected!r} in {texts}"


def _submit(actor: Any, selector: str) -> None:
    with actor.page.expect_navigation():
        actor.page.locator(selector).first.click()


def _follow(actor: Any, selector: str) -> None:
    with actor.page.expect_navigation():
        actor.page.locator(selector).first.click()


def _in_lang(live: Any, lang: str, make: Any) -> str:
    with live.app.test_request_context(), force_locale(lang):
        return str(make())


def _typed(value: int, lang: str) -> str:
    """A whole number typed as a person of the language would: 1,200 or 1 200."""
    return f"{value:,}".replace(",", " " if lang == "fr" else ",")


# --------------------------------------------------------------------------- 1. the targets


def _set_targets(cast: Any, arranged: Arranged) -> Any:
    nadia = cast.sign_in("ngo")
    page, t, lang = nadia.page, nadia.t, cast.lang
    nadia.open("/applications/")
    _follow(nadia, f"main a[href='/applications/{arranged.application_id}']")
    nadia.step("draft-without-results")
    _follow(nadia, f"main a[href$='/applications/{arranged.application_id}/sections/results']")
    assert t("Results framework") in page.inner_text("h1")
    nadia.step("results-framework-empty")
    with cast.live.app.app_context():
        shelter, legal = _standard("VA-SHELTER"), _standard("VA-LEGAL")
    rows = [
        ("Safe houses run in Lagos", str(shelter), "", "", 0, 120),
        ("Legal aid clinic held", str(legal), "", "", 250, 1_200),
        ("Case management", "", OWN_INDICATOR, "percent", 20, 90),
    ]
    for index, (output, indicator, own, unit, baseline, target) in enumerate(rows):
        page.fill(f"#rows-{index}-outcome", OUTCOME)
        page.fill(f"#rows-{index}-output", output)
        page.select_option(f"#rows-{index}-indicator", indicator)
        if own:
            page.fill(f"#rows-{index}-own_name", own)
            page.select_option(f"#rows-{index}-unit", unit)
        page.fill(f"#rows-{index}-baseline", _typed(baseline, lang))
        page.fill(f"#rows-{index}-target_1", _typed(target, lang))
    assert page.locator("#rows-0-target_2").count() == 0, "eight months: one project year"
    nadia.step("results-framework-filled")
    _submit(nadia, "main form button[name=then][value=stay]")
    _flash(nadia, "%(section)s saved.", section=t("Results framework"))
    assert page.input_value("#rows-1-target_1") in {"1200", _typed(1_200, lang)}
    nadia.step("results-framework-saved")
    with cast.live.app.app_context():
        application = db.session.get(Application, arranged.application_id)
        assert application is not None
        saved = results.framework_indicators(application)
        assert [(i.baseline, i.target(1)) for i in saved] == [(0, 120), (250, 1_200), (20, 90)]

    # Check your answers, with the framework in it, and submit.
    nadia.open(f"/applications/{arranged.application_id}")
    page.get_by_role("link", name=t("Submit the application")).click()
    page.wait_for_url(f"**/applications/{arranged.application_id}/submit")
    assert OWN_INDICATOR in page.inner_text("main")
    nadia.step("check-your-answers-with-targets")
    page.locator("#declaration").check()
    with page.expect_navigation():
        page.get_by_role("button", name=t("Submit the application")).click()
    assert t(
        "Your application is submitted. The fund will tell you when it has been screened."
    ) in page.inner_text("main")
    nadia.step("proposal-submitted")
    return nadia


# --------------------------------------------------------------------------- 2. two reports


@dataclass(frozen=True)
class Actuals:
    """What the NGO types for one report: indicator id -> (value, explanation)."""

    values: dict[int, tuple[int, str]]


def _report(live: Any, grant_id: int, kind: ReportKind) -> tuple[int, dict[int, int]]:
    """The report's id and each indicator's expected value for its period."""
    with live.app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant is not None
        report = next(r for r in grant.reports if r.kind == kind)
        period = results.report_period(report)
        expected = {
            indicator.id: results.expected_value(indicator, grant=grant, period=period)
            for indicator in results.framework_indicators(grant.application)
        }
        return report.id, expected


def _write_report(
    nadia: Any,
    grant_id: int,
    kind: ReportKind,
    name: str,
    people: dict[str, str],
    actuals: Actuals,
    explain_later: int | None = None,
) -> int:
    """Write the report (people in the cross table), give its results against targets, submit.
    ``explain_later``: an indicator whose explanation is first left out, to be refused."""
    page, t = nadia.page, nadia.t
    report_id, _expected = _report(nadia.cast.live, grant_id, kind)
    nadia.open(f"/grants/{grant_id}")
    _follow(nadia, f"main a[href$='/grants/reports/{report_id}/edit']")
    page.click("details:has(#p-sexual_exploitation-female-adult-new) > summary")
    for field, value in people.items():
        page.fill(field, value)
    page.fill("#results", "Survivors housed and represented; most returned to school or work.")
    page.fill("#safeguarding_incidents", "0")
    with nadia.cast.live.app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant is not None
        lines = [(line.id, line.amount) for line in grant.current_budget]
    if page.locator(f"#line-{lines[0][0]}").count():
        for line_id, amount in lines:
            page.fill(f"#line-{line_id}", str(amount // 2 // 100))
    nadia.step(f"{name}-people-and-narrative")
    _submit(nadia, "main form[method=post]:not([enctype]) button[type=submit]")
    _flash(nadia, "The report is saved. Submit it when it is complete.")
    # Not yet: the results against targets are missing.
    assert t("Give the actual for each indicator of the results framework.") in (
        page.inner_text("main")
    )
    assert page.locator(f"form[action$='/grants/reports/{report_id}/submit']").count() == 0
    nadia.step(f"{name}-results-missing")

    _follow(nadia, f"main a[href$='/results/reports/{report_id}']")
    for indicator_id, (value, explanation) in actuals.values.items():
        page.fill(f"#value_{indicator_id}", _typed(value, nadia.lang))
        if indicator_id != explain_later:
            page.fill(f"#explanation_{indicator_id}", explanation)
    nadia.step(f"{name}-actuals")
    _submit(nadia, "main form button[type=submit]")
    _flash(nadia, "Results saved.")
    if explain_later is not None:
        # Off target and not explained: the page says what still stops the submission.
        warning = page.locator("main .alert-warning").inner_text()
        assert t("Before the report can be submitted:") in warning
        with nadia.cast.live.app.app_context():
            indicator = db.session.get(ResultIndicator, explain_later)
            assert indicator is not None
            named = indicator.name_in("en")[:60]
        refusal = t(
            "“%(indicator)s” is off target: explain the difference briefly.", indicator=named
        )
        assert refusal in warning, warning
        nadia.step(f"{name}-variance-to-explain")
        page.fill(f"#explanation_{explain_later}", actuals.values[explain_later][1])
        _submit(nadia, "main form button[type=submit]")
        _flash(nadia, "Results saved.")
        assert page.locator("main .alert-warning").count() == 0
        nadia.step(f"{name}-variance-explained")
    _follow(nadia, f"main a[href$='/grants/reports/{report_id}']")
    _submit(nadia, f"form[action$='/grants/reports/{report_id}/submit'] button")
    _flash(nadia, "The report is submitted to the fund.")
    nadia.step(f"{name}-submitted")
    return report_id


def _accept(manager: Any, report_id: int, name: str) -> None:
    manager.open(f"/grants/reports/{report_id}")
    # The fund reads the results against targets, explanations included.
    _follow(manager, f"main a[href$='/results/reports/{report_id}']")
    manager.step(f"{name}-results-read-by-the-fund")
    _follow(manager, f"main a[href$='/grants/reports/{report_id}']")
    manager.page.fill("textarea[name=comment]", "Thank you: clear, and the variances explained.")
    _submit(manager, "main form button[formaction$='/accept']")
    _flash(manager, "The report is accepted.")
    manager.step(f"{name}-accepted")


def _reports(cast: Any, nadia: Any, grant_id: int) -> Any:
    live, lang = cast.live, cast.lang
    with live.app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant is not None
        shelter, legal, care_plans = (i.id for i in results.framework_indicators(grant.application))
    _first, expected_1 = _report(live, grant_id, ReportKind.PROGRESS)
    _final, expected_2 = _report(live, grant_id, ReportKind.FINAL)
    assert expected_1[care_plans] == expected_2[care_plans] == 90, "a percent: the year's target"

    # Report 1: the shelter on target, the clinic and the care plans behind (explained).
    legal_1 = expected_1[legal] // 2
    first = Actuals(
        {
            shelter: (expected_1[shelter], ""),
            legal: (legal_1, "The courts were closed for six weeks; hearings were postponed."),
            care_plans: (60, "The second case worker started two months late."),
        }
    )
    progress = _write_report(
        nadia,
        grant_id,
        ReportKind.PROGRESS,
        "progress-report",
        {
            "#p-sexual_exploitation-female-adult-new": "38",
            "#p-sexual_exploitation-female-child-new": "9",
            "#a-shelter": "47",
            "#a-legal_aid": "30",
        },
        first,
        explain_later=legal,
    )
    nadia.open(f"/grants/reports/{progress}")
    totals = nadia.t(
        "In the period: %(total)s people, %(new)s of them new and %(continuing)s continuing from"
        " an earlier period. Only the new ones are added to the fund's totals.",
        total="47",
        new="47",
        continuing="0",
    )
    assert totals in nadia.page.inner_text("main")

    manager = cast.sign_in("fund_manager")
    _accept(manager, progress, "progress-report")

    # Report 2: 30 of the women housed before are still there (continuing), 20 are new.
    second = Actuals(
        {
            shelter: (expected_2[shelter], ""),
            legal: (expected_2[legal] + legal_1, "The hearings postponed in the first half."),
            care_plans: (85, ""),
        }
    )
    final = _write_report(
        nadia,
        grant_id,
        ReportKind.FINAL,
        "final-report",
        {
            "#p-sexual_exploitation-female-adult-new": "20",
            "#p-sexual_exploitation-female-adult-continuing": "30",
            "#a-shelter": "50",
        },
        second,
    )
    nadia.open(f"/grants/reports/{final}")
    totals = nadia.t(
        "In the period: %(total)s people, %(new)s of them new and %(continuing)s continuing from"
        " an earlier period. Only the new ones are added to the fund's totals.",
        total="50",
        new="20",
        continuing="30",
    )
    assert totals in nadia.page.inner_text("main")
    _accept(manager, final, "final-report")

    # The grant page: progress against the targets, the two reports added up.
    manager.open(f"/grants/{grant_id}")
    progress_table = manager.page.locator("#results")
    progress_table.scroll_into_view_if_needed()
    text = progress_table.inner_text()
    shelter_done = expected_1[shelter] + expected_2[shelter]
    legal_done = legal_1 + expected_2[legal] + legal_1
    for value in (shelter_done, legal_done, 85):
        assert _in_lang(live, lang, lambda v=value: number(v)) in text, (value, text)
    shares = [round(100 * shelter_done / 120), round(100 * legal_done / 1_200), round(8500 / 90)]
    for share in shares:
        rate = _in_lang(live, lang, lambda s=share: percent(Decimal(s) / 100))
        shown = manager.t("%(share)s of the end target", share=rate)
        assert shown in text, (shown, text)
    manager.step("grant-progress-against-targets")
    return manager


# --------------------------------------------------------------------------- 3. monitoring


def _monitor(cast: Any, manager: Any, nadia: Any, grant_id: int) -> None:
    page = manager.page
    today = utcnow().date()
    manager.open(f"/grants/{grant_id}")
    _follow(manager, f"main a[href$='/monitoring/grants/{grant_id}']")
    manager.step("monitoring-of-the-grant")
    plan = f"form[action$='/monitoring/grants/{grant_id}/activities']"
    page.select_option(f"{plan} select[name=kind]", "visit")
    page.fill(f"{plan} input[name=planned_on]", today.isoformat())
    page.fill(f"{plan} input[name=assignee]", "Fatima Manager")
    _submit(manager, f"{plan} button[type=submit]")
    _flash(manager, "The activity is planned.")
    manager.step("visit-planned")
    _follow(manager, "main table a[href*='/monitoring/activities/']")
    record = "form[action$='/done']"
    assert page.input_value(f"{record} input[name=done_on]") == today.isoformat()
    page.fill(
        f"{record} textarea[name=summary]",
        "We visited both safe houses and the clinic and read a sample of case files.",
    )
    page.fill(f"{record} textarea[name=staff_notes]", STAFF_NOTE)
    manager.step("visit-to-record")
    _submit(manager, f"{record} button[type=submit]")
    _flash(manager, "The activity is recorded as done.")
    findings = "form[action$='/findings']"
    for severity, finding, recommendation, days in (
        ("high", HIGH_FINDING, HIGH_RECOMMENDATION, 30),
        ("medium", MEDIUM_FINDING, MEDIUM_RECOMMENDATION, 60),
    ):
        page.check(f"{findings} input[name=severity][value={severity}]")
        page.fill(f"{findings} textarea[name=description]", finding)
        page.fill(f"{findings} textarea[name=recommendation]", recommendation)
        page.fill(f"{findings} input[name=due_on]", (today + timedelta(days=days)).isoformat())
        if severity == "high":
            manager.step("finding-and-recommendation")
        _submit(manager, f"{findings} button[type=submit]")
        _flash(manager, "The finding is added.")
    assert HIGH_RECOMMENDATION in page.inner_text("main")
    manager.step("visit-with-two-findings")

    # The NGO reads the recommendations on its grant page (never the staff notes) and answers.
    nadia_page = nadia.page
    nadia.open(f"/grants/{grant_id}")
    section = nadia_page.locator("#monitoring")
    section.scroll_into_view_if_needed()
    assert HIGH_RECOMMENDATION in section.inner_text()
    assert STAFF_NOTE not in nadia_page.content()
    nadia.step("ngo-reads-the-recommendations")
    with nadia_page.expect_navigation():
        section.locator("article", has_text=HIGH_RECOMMENDATION).get_by_role("link").click()
    assert HIGH_FINDING in nadia_page.inner_text("main")
    nadia_page.fill(
        "textarea[name=response]",
        "Every cash payment now has a receipt signed by the survivor; March's are attached.",
    )
    nadia.step("ngo-answers")
    _submit(nadia, "form[action$='/respond'] button[type=submit]")
    _flash(nadia, "Your answer is sent to the fund.")
    nadia.step("ngo-answer-sent")

    # The fund manager reads the answer and closes the recommendation: followed up.
    manager.open(f"/monitoring/grants/{grant_id}")
    with page.expect_navigation():
        page.locator("main a", has_text=HIGH_RECOMMENDATION[:40]).first.click()
    assert "March's are attached" in page.inner_text("main")
    manager.step("answer-to-close")
    _submit(manager, "form[action$='/close'] button")
    _flash(manager, "The recommendation is closed.")
    manager.step("recommendation-closed")
    with cast.live.app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant is not None
        states = {r.text: r.status for r in monitoring.recommendations_of(grant)}
        assert states == {
            HIGH_RECOMMENDATION: RecommendationStatus.CLOSED,
            MEDIUM_RECOMMENDATION: RecommendationStatus.OPEN,
        }


# --------------------------------------------------------------------------- 4. the rating


def _confirm_rating(cast: Any, manager: Any, arranged: Arranged, grant_id: int) -> RiskRating:
    live, lang, page, t = cast.live, cast.lang, manager.page, manager.t
    manager.open(f"/grants/{grant_id}")
    _follow(manager, f"main a[href$='/monitoring/organisations/{arranged.organisation_id}']")
    lead = page.locator("main p.lead").inner_text()
    with live.app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant is not None
        reference = grant.reference
        organisation = db.session.get(Organisation, arranged.organisation_id)
        assert organisation is not None
        scored = performance.partner_score(organisation, on=utcnow().date())
    # Low before; the visit's findings (one closed, one still open) bring the score down.
    assert scored.current == RiskRating.LOW
    assert scored.proposed == RiskRating.MEDIUM, scored
    label = {r: _in_lang(live, lang, lambda r=r: monitoring_label(r)) for r in RiskRating}
    assert t("Score: %(score)s out of 100", score=scored.score) in lead
    assert t("proposed rating: %(rating)s", rating=label[RiskRating.MEDIUM]) in lead
    assert t("current rating: %(rating)s", rating=label[RiskRating.LOW]) in lead
    # Line by line: the grant's two reports on time, the visit's findings (one followed up).
    lines = page.locator("main table").first.inner_text()
    assert lines.count(reference) >= 4, lines
    assert {"-8", "-10"} <= set(re.findall(r"[+-]\d+", lines)), lines
    manager.step("partner-score-proposes-a-rating")
    page.check("input[name=rating][value=medium]")
    _submit(manager, "form[action$='/rating'] button[type=submit]")
    _flash(
        manager,
        "Risk rating confirmed: %(rating)s. The organisation's next grant follows it.",
        rating=label[RiskRating.MEDIUM],
    )
    manager.step("rating-confirmed")
    with live.app.app_context():
        decision = db.session.scalar(
            sa.select(PartnerRating).where(PartnerRating.organisation_id == organisation.id)
        )
        assert decision is not None
        assert (decision.previous, decision.proposed, decision.confirmed) == (
            RiskRating.LOW,
            RiskRating.MEDIUM,
            RiskRating.MEDIUM,
        )
    return RiskRating.MEDIUM


# --------------------------------------------------------------------------- 5. the next grant


def _next_grant(cast: Any, manager: Any, grant_id: int) -> None:
    live, page = cast.live, manager.page
    with live.app.app_context():
        application = db.session.scalar(
            sa.select(Application).where(Application.title == NEXT_APPLICATION)
        )
        assert application is not None and application.status == ApplicationStatus.APPROVED
        application_id = application.id
    manager.open("/grants/manage")
    manager.step("next-application-to-award")
    _submit(manager, f"form[action$='/grants/award/{application_id}'] button[type=submit]")
    _flash(manager, "The grant is awarded and its money committed.")
    with live.app.app_context():
        grant = db.session.scalar(sa.select(Grant).where(Grant.application_id == application_id))
        assert grant is not None
        amounts = [t.amount for t in grant.tranches]
        currency, total, rating = grant.currency, grant.amount, grant.risk_rating
        first = db.session.get(Grant, grant_id)
        assert first is not None and len(first.tranches) == 2, "the first grant keeps its two"
    # Medium risk: three tranches, 40 %, 30 %, 30 %.
    assert rating == RiskRating.MEDIUM
    assert len(amounts) == 3 and sum(amounts) == total
    assert [round(Decimal(a) / total, 2) for a in amounts] == [
        Decimal("0.40"),
        Decimal("0.30"),
        Decimal("0.30"),
    ]
    risk = _in_lang(live, cast.lang, lambda: label(RiskRating.MEDIUM))
    said = manager.t(
        "Project from %(start)s to %(end)s · risk rating: %(risk)s", start="|", end="|", risk=risk
    ).split("|")[-1]
    assert said in page.inner_text("main"), said
    tranches = page.locator("main tbody tr:has(a[href*='/grants/tranches/'])")
    assert tranches.count() == 3
    rows = tranches.all_inner_texts()
    for row, amount in zip(rows, amounts, strict=True):
        assert manager.money(amount, currency) in row, (row, amount)
    manager.step("next-grant-three-tranches")


def test_grant_life(cast: Any, live: Any, lang: str) -> None:
    arranged = _arrange(live, lang)
    nadia = _set_targets(cast, arranged)
    grant_id = _award_and_activate(live, arranged.application_id)

    manager = _reports(cast, nadia, grant_id)
    _monitor(cast, manager, nadia, grant_id)
    _confirm_rating(cast, manager, arranged, grant_id)
    _next_grant(cast, manager, grant_id)

    with live.app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant is not None
        assert [r.status for r in grant.reports if r.has_narrative] == [
            ReportStatus.ACCEPTED,
            ReportStatus.ACCEPTED,
        ]
