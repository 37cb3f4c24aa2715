"""Journey 3, the fund: from a submitted application to a closed grant, in a browser.

The fund manager screens the application and asks two reviewers; one declares a conflict and is
recused, so a third is asked. The reviewers score, the secretariat recommends, the Board records
its decision with each member's vote, the grant is awarded and its agreement accepted by the
NGO. Finance pays tranche 1 with two people (maker: finance@, checker: finance2@), the NGO
reports, tranche 2 is paid the same way, the final reports are accepted and the grant closed.
The auditor then follows the trail from the grant to the Board decision and from the tranches to
the ledger transfers and the bank references, and ``flask ledger verify`` passes on the live
app's database.

Arranged through the services (not the browser), each for a reason:
* the submitted application: journey 2 applies in the browser; here the fund's work starts;
* a third reviewer with a password (the demo's third expert cannot sign in): inviting people is
  the administrator's work, tested in tests/web; this journey is about the fund's.
The Board's quorum (3) is met by the demo trustees: board@demo.test records the meeting with the
five members present and the vote of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Organisation, Role, User
from app.applications import services as applications
from app.applications.models import BudgetCategory
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
from app.grants.models import Grant, GrantStatus, ReportKind, TrancheStatus
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.questions import services as questions
from app.questions.models import QuestionKind
from app.reviews.models import ReviewAssignment
from devtools.seed.calls_and_applications import OPEN_CALL
from devtools.seed.people import DEMO_PASSWORD
from tests.browser.conftest import journey_languages

pytestmark = [pytest.mark.browser, journey_languages]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
THIRD_REVIEWER = ("reviewer3@demo.test", "Rhea Reviewer")
SCORES = [(5, "Reaches survivors the other shelters turn away."), (4, "Trauma-informed plan.")]


@dataclass(frozen=True)
class Arranged:
    application_id: int
    reference: str
    title: str
    call_id: int
    user_ids: dict[str, int]


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None, email
    return user


def _arrange(live: Any, lang: str) -> Arranged:
    """A complete application from Safe Haven (ngo@demo.test), submitted to the open call; a
    third reviewer who can sign in."""
    with live.app.app_context():
        admin = _user("admin@demo.test")
        third = accounts.invite_user(
            actor=admin, email=THIRD_REVIEWER[0], full_name=THIRD_REVIEWER[1], roles=[Role.REVIEWER]
        )
        accounts.set_password(user=third, password=DEMO_PASSWORD)
        owner = _user("ngo@demo.test")
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.name == "Safe Haven Initiative")
        )
        call = db.session.scalar(sa.select(Call).where(Call.reference == OPEN_CALL))
        assert organisation is not None and call is not None
        application = applications.start_application(
            actor=owner, call=call, organisation=organisation
        )
        title = {
            "en": "Safe houses in Lagos",
            "fr": "Maisons sûres à Lagos",
            "ar": "بيوت آمنة في لاغوس",
            "zh": "拉各斯的安全屋",
        }[lang]

        def save(data: Any) -> None:
            applications.save_section(
                actor=owner, application=application, data=data, expected_version=None
            )

        save(SummaryData(title, "A safe house with a case worker for each survivor.", "en", 8))
        save(LocationsData(["NG"], "Lagos and Ogun State"))
        save(FocusData(["armed_conflict"], ["sexual_exploitation"], ["shelter"]))
        save(
            BeneficiariesData(
                ["women_and_girls"], "Referred by police.", {(Sex.FEMALE, AgeGroup.ADULT): 40}
            )
        )
        save(WorkplanData([ActivityData("Run the safe house", 1, 8)]))
        save(
            BudgetData(
                [
                    BudgetLineData(
                        BudgetCategory.DIRECT_ASSISTANCE, "Shelter and care", 1, 9_000_00
                    ),
                    BudgetLineData(BudgetCategory.PERSONNEL, "Case workers", 1, 3_000_00),
                ]
            )
        )
        for kind, count in call.required_documents.items():
            if DocumentKind(kind) not in APPLICATION_DOCUMENT_KINDS:
                continue  # the organisation's file already holds these
            for number in range(1, count + 1):
                applications.upload_document(
                    actor=owner,
                    organisation=organisation,
                    application=application,
                    kind=DocumentKind(kind),
                    filename=f"{kind}-{number}.pdf",
                    data=PDF,
                    storage=get_storage(),
                )
        # The open call's own questions (devtools/seed/questions.py): the required ones answered.
        answers = {}
        for question in questions.questions_of(call):
            if question.kind == QuestionKind.CHOICE:
                answers[question.id] = questions.AnswerValue(choice=question.options[0]["key"])
            elif question.kind == QuestionKind.NUMBER:
                answers[question.id] = questions.AnswerValue(number=Decimal(3))
        if answers:
            questions.save_answers(actor=owner, application=application, values=answers)
        applications.submit_application(actor=owner, application=application)
        db.session.commit()
        logins = ["reviewer", "reviewer2", "finance", "finance2"]
        ids = {login: _user(f"{login}@demo.test").id for login in logins}
        ids["reviewer3"] = third.id
        return Arranged(application.id, application.reference, title, call.id, ids)


def _assignment_id(live: Any, application_id: int, reviewer_id: int) -> int:
    with live.app.app_context():
        found = db.session.scalar(
            sa.select(ReviewAssignment.id).where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.reviewer_id == reviewer_id,
            )
        )
        assert found is not None
        return int(found)


def _grant(live: Any, application_id: int) -> Grant:
    with live.app.app_context():
        db.session.rollback()
        grant = db.session.scalar(sa.select(Grant).where(Grant.application_id == application_id))
        assert grant is not None
        # Loaded while the session is open; read-only afterwards.
        _ = [t.status for t in grant.tranches], [r.kind for r in grant.reports]
        _ = [line.amount for line in grant.current_budget]
        db.session.expunge_all()
        return grant


def _flash(actor: Any, message: str, **variables: Any) -> None:
    """The page shows the app's message, in the test's language."""
    alerts = actor.page.locator(".alert")
    expected = actor.t(message, **variables)
    texts = alerts.all_inner_texts()
    assert any(expected in text for text in texts), f"no {expected!r} in {texts}"


def _submit(actor: Any, form_selector: str, button: str = "button[type=submit]") -> None:
    with actor.page.expect_navigation():
        actor.page.locator(f"{form_selector} {button}").first.click()


def _nav(actor: Any, label: str) -> None:
    """Follow a main-menu entry, as a person would: opening its dropdown first, if it is in one."""
    menu = actor.page.locator("header nav, nav.navbar")
    link = (
        menu.locator(".navbar-nav")
        .get_by_role("link", name=actor.t(label), exact=True, include_hidden=True)
        .first
    )
    # On a phone the menu is folded behind its button first.
    toggler = actor.page.locator("header .navbar-toggler")
    if not link.is_visible() and toggler.is_visible():
        if toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        actor.page.locator("header .navbar-collapse.show").wait_for()
    if not link.is_visible():
        link.locator("xpath=ancestor::li[contains(@class, 'dropdown')]/button").click()
    with actor.page.expect_navigation():
        link.click()


def _follow(actor: Any, selector: str) -> None:
    with actor.page.expect_navigation():
        actor.page.locator(selector).first.click()


# --------------------------------------------------------------------------- reviews


def _screen_and_assign(cast: Any, arranged: Arranged) -> Any:
    manager = cast.sign_in("fund_manager")
    _nav(manager, "Selection")
    manager.step("selection-overview")
    _follow(manager, f"main a[href$='/reviews/calls/{arranged.call_id}']")
    manager.step("call-screening-queue")
    _follow(manager, f"a[href$='/reviews/applications/{arranged.application_id}/screen']")
    manager.step("eligibility-check")
    for box in manager.page.locator("input[name=confirmed]").all():
        box.check()
    manager.page.check("input[name=outcome][value=eligible]")
    _submit(manager, "form[action$='/screen']")
    _flash(manager, "Eligible: the application is now in review.")
    manager.step("eligible-choose-reviewers")
    assign_form = f"form[action$='/reviews/applications/{arranged.application_id}/assign']"
    for login in ("reviewer", "reviewer2"):
        manager.page.locator(f"{assign_form} select[name=reviewer_id]").select_option(
            str(arranged.user_ids[login])
        )
        _submit(manager, assign_form)
    _flash(manager, "%(name)s is asked to review.", name="Ravi Reviewer")
    manager.step("two-reviewers-asked")
    return manager


def _recuse(cast: Any, arranged: Arranged) -> None:
    rosa = cast.sign_in("reviewer")
    _nav(rosa, "My reviews")
    assignment = _assignment_id(cast.live, arranged.application_id, arranged.user_ids["reviewer"])
    _follow(rosa, f"a[href$='/reviews/assignments/{assignment}']")
    rosa.step("declaration-of-interests")
    rosa.page.check("input[name=has_conflict][value=yes]")
    rosa.page.fill("#description", "I advised Safe Haven Initiative on its shelter last year.")
    _submit(rosa, "form[action$='/declare']")
    _flash(rosa, "Thank you. You are recused from this application.")
    rosa.step("recused")


def _ask_third(manager: Any, arranged: Arranged) -> None:
    manager.page.reload()
    manager.step("recusal-shown-to-manager")
    assignment = _assignment_id(
        manager.cast.live, arranged.application_id, arranged.user_ids["reviewer"]
    )
    form = f"form[action$='/reviews/assignments/{assignment}/reassign']"
    manager.page.locator(f"{form} select").select_option(str(arranged.user_ids["reviewer3"]))
    _submit(manager, form)
    _flash(manager, "The review is now asked of %(name)s.", name=THIRD_REVIEWER[1])
    manager.step("third-reviewer-asked")


def _review(cast: Any, arranged: Arranged, login: str, comment: str) -> None:
    email = THIRD_REVIEWER[0] if login == "reviewer3" else login
    reviewer = cast.sign_in(email)
    _nav(reviewer, "My reviews")
    assignment = _assignment_id(cast.live, arranged.application_id, arranged.user_ids[login])
    _follow(reviewer, f"a[href$='/reviews/assignments/{assignment}']")
    reviewer.page.check("input[name=has_conflict][value=no]")
    _submit(reviewer, "form[action$='/declare']")
    _flash(reviewer, "Thank you. The application is open to you below.")
    reviewer.step(f"{login}-review-form")
    count = reviewer.page.locator("select[name$='-score']").count()
    assert count == 5, "the open call's rubric has five criteria"
    for index in range(count):
        score, why = SCORES[index % len(SCORES)]
        reviewer.page.select_option(f"select[name='scores-{index}-score']", str(score))
        reviewer.page.fill(f"textarea[name='scores-{index}-justification']", why)
    reviewer.page.check("input[name=recommendation][value=fund]")
    reviewer.page.fill("textarea[name=comments]", comment)
    _submit(reviewer, "form[action$='/review']", "button[name=action][value=submit]")
    # Check your answers: the draft is saved; sending without the declaration is refused.
    reviewer.page.wait_for_url(f"**/reviews/assignments/{assignment}/submit")
    assert comment in reviewer.page.locator("main").inner_text()
    reviewer.step(f"{login}-check-your-review")
    send = f"form[action$='/reviews/assignments/{assignment}/submit']"
    _submit(reviewer, send)
    refusal = reviewer.t("Confirm the declaration to submit the review.")
    assert reviewer.t("There is a problem") in reviewer.page.locator("#error-summary").inner_text()
    assert refusal in reviewer.page.locator("#declaration-error").inner_text()
    # The server's 422 is the answer asked for here; any other problem still fails the journey.
    problems = cast.recorder.problems
    problems[:] = [p for p in problems if not ("422" in p and p.endswith(f"{assignment}/submit)"))]
    reviewer.step(f"{login}-declaration-missing")
    reviewer.page.locator("#declaration").check()
    _submit(reviewer, send)
    _flash(reviewer, "Your review is submitted. Thank you.")
    reviewer.step(f"{login}-review-submitted")


def _recommend(manager: Any, arranged: Arranged) -> None:
    manager.open(f"/reviews/calls/{arranged.call_id}")
    _follow(manager, f"a[href$='/reviews/calls/{arranged.call_id}/ranking']")
    manager.step("ranking")
    _follow(manager, f"a[href$='/reviews/applications/{arranged.application_id}/recommend']")
    manager.page.check("input[name=outcome][value=recommended]")
    manager.page.fill("textarea[name=key_risks]", "A new partner bank; one shelter only.")
    manager.page.fill(
        "textarea[name=feedback]", "A clear, survivor-centred plan with realistic costs."
    )
    manager.step("recommendation")
    _submit(manager, "form[action$='/recommend']")
    _flash(manager, "The recommendation is recorded.")
    _submit(manager, "form[action$='/send-pack']")
    manager.step("board-pack-sent")


def _board_decides(cast: Any, arranged: Arranged) -> None:
    board = cast.sign_in("board")
    _nav(board, "Board")
    board.step("board-home")
    _follow(board, "a[href$='/reviews/board/meetings/new']")
    board.page.select_option("select[name=call_id]", str(arranged.call_id))
    board.page.fill("textarea[name=notes]", "Extraordinary meeting on the emergency call.")
    board.step("record-a-meeting")
    _submit(board, "form[action$='/meetings/new']")
    _flash(board, "The meeting is recorded. Record its decisions below.")
    board.step("meeting-waiting-for-decisions")
    _follow(board, f"a[href*='/decide/{arranged.application_id}']")
    board.page.check("input[name=outcome][value=approved]")
    board.page.fill("textarea[name=conditions]", "A monitoring visit in the first quarter.")
    board.page.fill("textarea[name=rationale]", "Ranked first; strong survivor participation.")
    votes = board.page.locator("select[name$='-vote']")
    assert votes.count() >= 3, "the quorum needs three members who may vote"
    for index in range(votes.count()):
        votes.nth(index).select_option("approve")
    board.step("board-decision-form")
    _submit(board, "form[action*='/decide/']")
    # The decision read back: "Change" brings the filled form back; recording it needs the
    # declaration, refused without it.
    assert board.t("Check the decision before you record it") in board.page.inner_text("h1")
    board.step("board-decision-check")
    _submit(board, "form[action*='/decide/']", "button[name=action][value=change]")
    assert board.page.input_value("textarea[name=rationale]") == (
        "Ranked first; strong survivor participation."
    )
    _submit(board, "form[action*='/decide/']")
    _submit(board, "form[action*='/decide/']", "button[name=action][value=record]")
    refusal = board.t("Confirm the declaration to record the decision.")
    assert refusal in board.page.locator("#declaration-error").inner_text()
    problems = cast.recorder.problems
    problems[:] = [p for p in problems if not ("422" in p and "/decide/" in p)]
    board.step("board-declaration-missing")
    board.page.locator("#declaration").check()
    _submit(board, "form[action*='/decide/']", "button[name=action][value=record]")
    # The outcome's name comes from the reviews area's labels: compare the sentence up to it.
    recorded = board.t(
        "The decision on %(ref)s is recorded: %(outcome)s.", ref=arranged.reference, outcome="|"
    ).split("|")[0]
    assert recorded in board.page.locator(".alert").first.inner_text()
    _submit(board, "form[action$='/close']")
    _flash(board, "The meeting's record is closed.")
    board.step("meeting-decided-and-closed")


# --------------------------------------------------------------------------- the grant


def _award(manager: Any, arranged: Arranged) -> Grant:
    _nav(manager, "Grants")
    manager.step("grants-awaiting-award")
    _submit(manager, f"form[action$='/grants/award/{arranged.application_id}']")
    _flash(manager, "The grant is awarded and its money committed.")
    manager.step("grant-awarded")
    _submit(manager, "form[action$='/send-agreement']")
    _flash(manager, "The agreement is sent to the organisation for signature.")
    manager.step("agreement-sent")
    grant = _grant(manager.cast.live, arranged.application_id)
    assert grant.status == GrantStatus.AGREEMENT_SENT
    assert [t.amount for t in grant.tranches] == [7_200_00, 4_800_00], "low risk: 60 % / 40 %"
    return grant


def _accept_agreement(cast: Any, grant: Grant) -> Any:
    nadia = cast.sign_in("ngo")
    _nav(nadia, "My grants")
    nadia.step("ngo-grants")
    _follow(nadia, f"main a[href$='/grants/{grant.id}']")
    _follow(nadia, f"main a[href$='/grants/{grant.id}/agreement']")
    nadia.step("grant-agreement")
    nadia.page.go_back()
    _follow(nadia, f"main a[href$='/grants/{grant.id}/accept']")
    nadia.page.fill("input[name=signatory_title]", "Executive Director")
    nadia.page.check("input[name=confirmed]")
    nadia.step("accept-the-agreement")
    _submit(nadia, "main form")
    _flash(nadia, "The agreement is accepted: the grant is active.")
    nadia.step("grant-active")
    return nadia


def _tranche_action(actor: Any, tranche_id: int, action: str) -> None:
    """One finance action from the disbursements queue (the form brings them back to it)."""
    _submit(actor, f"form[action$='/grants/tranches/{tranche_id}/{action}']")


def _pay(cast: Any, grant: Grant, number: int, maker: Any, checker: Any) -> str:
    tranche = next(t for t in grant.tranches if t.number == number)
    reference = f"BNK-{cast.lang.upper()}-{grant.id:03d}-{number}"
    amount = maker.money(tranche.amount, grant.currency)
    _nav(maker, "Disbursements")
    maker.step(f"tranche-{number}-to-request")
    _tranche_action(maker, tranche.id, "request")
    _flash(
        maker,
        "Tranche %(number)s (%(amount)s) is requested; another finance officer must approve it.",
        number=number,
        amount=amount,
    )
    maker.step(f"tranche-{number}-requested-maker-cannot-approve")
    assert maker.page.locator(f"form[action$='/tranches/{tranche.id}/approve']").count() == 0

    _nav(checker, "Disbursements")
    _tranche_action(checker, tranche.id, "approve")
    _flash(
        checker,
        "Tranche %(number)s (%(amount)s) is approved and ready to send.",
        number=number,
        amount=amount,
    )
    checker.step(f"tranche-{number}-approved")
    _tranche_action(checker, tranche.id, "send")
    _flash(
        checker,
        "Tranche %(number)s (%(amount)s) is sent: the payment is pending on the ledger.",
        number=number,
        amount=amount,
    )
    checker.page.fill(f"#bank-ref-{tranche.id}", reference)
    checker.step(f"tranche-{number}-sent-bank-reference")
    _tranche_action(checker, tranche.id, "paid")
    _flash(
        checker,
        "Tranche %(number)s (%(amount)s) is paid and posted on the ledger.",
        number=number,
        amount=amount,
    )
    checker.step(f"tranche-{number}-paid")
    return reference


def _write_report(nadia: Any, grant: Grant, kind: ReportKind, name: str, spent: int) -> None:
    """Write and submit the report; ``spent`` is the percentage of each budget line spent."""
    report = next(r for r in grant.reports if r.kind == kind)
    nadia.open(f"/grants/{grant.id}")
    _follow(nadia, f"main a[href$='/grants/reports/{report.id}/edit']")
    page = nadia.page
    if kind != ReportKind.FINANCIAL:
        # One fold per form of exploitation; the people are counted once, by sex and age.
        page.click("details:has(#p-sexual_exploitation-female-adult-new) > summary")
        page.fill("#p-sexual_exploitation-female-adult-new", "38")
        page.fill("#p-sexual_exploitation-female-child-new", "9")
        page.fill("#a-shelter", "47")
        page.fill("#results", "47 survivors housed; 31 returned to school or work.")
        page.fill("#challenges", "Court hearings were postponed twice.")
        page.fill("#safeguarding_incidents", "0")
    if spent:
        for line in grant.current_budget:
            page.fill(f"#line-{line.id}", f"{line.amount * spent // 100 // 100}")
    nadia.step(f"{name}-form")
    _submit(nadia, "main form[method=post]:not([enctype])")
    _flash(nadia, "The report is saved. Submit it when it is complete.")
    _submit(nadia, f"form[action$='/grants/reports/{report.id}/submit']")
    _flash(nadia, "The report is submitted to the fund.")
    nadia.step(f"{name}-submitted")


def _accept_reports(manager: Any, grant: Grant, kinds: list[ReportKind], name: str) -> None:
    for kind in kinds:
        report = next(r for r in grant.reports if r.kind == kind)
        _nav(manager, "Grants")
        _follow(manager, f"main a[href$='/grants/reports/{report.id}']")
        manager.step(f"{name}-{kind.value}-to-review")
        manager.page.fill("textarea[name=comment]", "Thank you: clear and complete.")
        _submit(manager, "main form", "button[formaction$='/accept']")
        _flash(manager, "The report is accepted.")
    manager.step(f"{name}-accepted")


def _close(manager: Any, grant: Grant) -> None:
    manager.open(f"/grants/{grant.id}")
    _follow(manager, f"main a[href$='/grants/{grant.id}/closure']")
    manager.step("closure-statement")
    _submit(manager, f"form[action$='/grants/{grant.id}/closure/start']")
    _flash(manager, "Closure started: the unspent balance is worked out below.")
    manager.step("closure-started")
    _submit(manager, f"form[action$='/grants/{grant.id}/close']")
    _flash(manager, "The grant is closed; what was never paid is back in the fund.")
    manager.step("grant-closed")


# --------------------------------------------------------------------------- the audit trail


def _audit_trail(cast: Any, grant: Grant, bank_references: list[str]) -> None:
    auditor = cast.sign_in("auditor")
    page = auditor.page
    _nav(auditor, "Grants")
    _follow(auditor, f"main a[href$='/grants/{grant.id}']")
    auditor.step("auditor-grant")
    # The grant names the Board decision it carries out...
    _follow(auditor, "main a[href*='/reviews/applications/'][href*='#decision-']")
    decision = page.locator("article[id^=decision-]")
    assert decision.count() == 1
    assert "Ranked first" in decision.inner_text()
    auditor.step("auditor-board-decision")
    # ... which leads back to the grant, then to each tranche and its ledger transfers.
    _follow(auditor, f"article[id^=decision-] a[href$='/grants/{grant.id}']")
    for number, reference in enumerate(bank_references, start=1):
        tranche = next(t for t in grant.tranches if t.number == number)
        _follow(auditor, f"main a[href$='/grants/tranches/{tranche.id}']")
        assert reference in page.locator("main").inner_text()
        auditor.step(f"auditor-tranche-{number}")
        # The transfer that posted the payment carries the bank reference in its memo.
        links = page.locator("main a[href*='/ledger/transfers/']")
        texts = page.locator("main li:has(a[href*='/ledger/transfers/'])").all_inner_texts()
        paid = next(i for i, text in enumerate(texts) if reference in text)
        with page.expect_navigation():
            links.nth(paid).click()
        assert reference in page.locator("main").inner_text()
        auditor.step(f"auditor-ledger-transfer-tranche-{number}")
        _follow(auditor, "main a[href*='/grants/tranches/']")
        _follow(auditor, f"main a[href$='/grants/{grant.id}']")
    _follow(auditor, "main a[href*='/ledger/accounts/']")
    auditor.step("auditor-grant-account-statement")


def _ledger_verifies(live: Any) -> str:
    result = live.app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_fund_journey(cast: Any, live: Any, lang: str) -> None:
    arranged = _arrange(live, lang)

    manager = _screen_and_assign(cast, arranged)
    _recuse(cast, arranged)
    _ask_third(manager, arranged)
    _review(cast, arranged, "reviewer2", "Solid; the budget is lean.")
    _review(cast, arranged, "reviewer3", "Fund it.")
    _recommend(manager, arranged)
    _board_decides(cast, arranged)

    grant = _award(manager, arranged)
    nadia = _accept_agreement(cast, grant)
    felix, farah = cast.sign_in("finance"), cast.sign_in("finance2")
    references = [_pay(cast, grant, 1, felix, farah)]
    _write_report(nadia, grant, ReportKind.PROGRESS, "progress-report", spent=60)
    _accept_reports(manager, grant, [ReportKind.PROGRESS], "progress-report")
    references.append(_pay(cast, grant, 2, felix, farah))
    _write_report(nadia, grant, ReportKind.FINAL, "final-report", spent=0)
    _write_report(nadia, grant, ReportKind.FINANCIAL, "financial-report", spent=100)
    _accept_reports(manager, grant, [ReportKind.FINAL, ReportKind.FINANCIAL], "final-reports")
    _close(manager, grant)

    closed = _grant(live, arranged.application_id)
    assert closed.status == GrantStatus.CLOSED
    assert [t.status for t in closed.tranches] == [TrancheStatus.PAID, TrancheStatus.PAID]
    assert [t.bank_reference for t in closed.tranches] == references

    _audit_trail(cast, closed, references)
    assert "Ledger consistent" in _ledger_verifies(live)
