"""Journey 2, an NGO: registers, confirms its e-mail, files its organisation with documents, is
verified by the fund manager, applies to the open call (a draft left and taken up again, every
section completed, submitted) and answers the fund manager's request for information."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from app.applications.models import Application, ApplicationStatus
from app.platform.extensions import db
from tests.browser.conftest import journey_languages, open_call_questions

pytestmark = journey_languages

EMAIL = "amina.diallo@espoir-sahel.test"
PASSWORD = "Sahel-shelter-2026"
ORGANISATION = "Espoir Sahel"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

APPLICATION_DOCUMENTS = [
    ("proposal", "proposal.pdf"),
    ("budget", "budget.pdf"),
    ("partner_declaration", "partner-declaration.pdf"),
    ("reference_letter", "reference-unhcr.pdf"),
    ("reference_letter", "reference-iom.pdf"),
]


def _file(folder: Path, name: str) -> str:
    path = folder / name
    path.write_bytes(PDF)
    return str(path)


def _upload(actor, folder: Path, kind: str, name: str, button: str) -> None:
    form = actor.page.locator("form[enctype='multipart/form-data']")
    form.locator("#kind").select_option(kind)
    form.locator("#file").set_input_files(_file(folder, name))
    with actor.page.expect_navigation():
        form.get_by_role("button", name=button).click()
    assert name in actor.page.inner_text("main"), f"{name} is not listed after the upload"


def _save(actor, *, then: str = "next") -> None:
    with actor.page.expect_navigation():
        actor.page.locator(f"main form button[name=then][value={then}]").click()


def test_ngo_journey(cast, live, lang, tmp_path):
    t = cast.t

    # Amina opens an account for her NGO and confirms her address from the e-mail.
    ngo = cast.visitor("ngo")
    ngo.open("/")
    ngo.page.locator("header").get_by_role("link", name=t("Create an account")).click()
    ngo.page.wait_for_url("**/register")
    ngo.page.locator("#full_name").fill("Amina Diallo")
    ngo.page.locator("#email").fill(EMAIL)
    ngo.page.locator("input[name=account_type][value=applicant]").check()
    ngo.page.locator("#password").fill(PASSWORD)
    ngo.page.locator("#confirm").fill(PASSWORD)
    ngo.step("register")
    with ngo.page.expect_navigation():
        ngo.page.get_by_role("button", name=t("Create the account")).click()
    assert EMAIL in ngo.page.inner_text("main")
    # Someone whose e-mail does not come can ask for it again from here.
    assert ngo.page.locator("main a[href$='/confirm']").is_visible()
    ngo.step("check-your-email")
    ngo.open(live.mailbox.link(EMAIL))
    assert t("Thank you, your e-mail address is confirmed. You can sign in now.") in (
        ngo.page.inner_text("main")
    )
    ngo.step("email-confirmed")
    ngo.page.locator("#email").fill(EMAIL)
    ngo.page.locator("#password").fill(PASSWORD)
    with ngo.page.expect_navigation():
        ngo.page.locator("main form button[type=submit]").click()
    ngo.choose_language()
    ngo.step("signed-in")

    # She registers the organisation, completes its file and uploads its documents.
    ngo.open("/organisations/mine")
    ngo.page.wait_for_url("**/organisations/register")
    ngo.page.locator("#name").fill(ORGANISATION)
    ngo.page.locator("#country").select_option("SN")
    ngo.step("organisation-form")
    with ngo.page.expect_navigation():
        ngo.page.locator("main form button[type=submit]").click()
    assert re.search(r"/organisations/\d+$", ngo.page.url), ngo.page.url
    organisation_path = ngo.page.url.removeprefix(live.url)
    ngo.step("organisation-registered")
    ngo.page.locator(f"main a[href='{organisation_path}/edit']").first.click()
    ngo.page.wait_for_url(f"**{organisation_path}/edit")
    page = ngo.page
    page.locator("#legal_name").fill("Association Espoir Sahel pour les victimes de la traite")
    page.locator("#registration_number").fill("SN-DKR-2016-B-4411")
    page.locator("#registration_date").fill("2016-03-14")
    page.locator("#un_partner_portal_id").fill("UNPP-SN-20931")
    page.locator("#countries_of_operation-SN").check()
    page.locator("#countries_of_operation-ML").check()
    page.locator("#assistance_since_year").fill("2016")
    page.locator("#survivor_led").check()
    page.locator("#bank_account_holder").fill("Association Espoir Sahel")
    ngo.step("organisation-details")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert t("The organisation's file is saved.") in page.inner_text("main")
    _upload(ngo, tmp_path, "registration_certificate", "registration.pdf", t("Upload"))
    _upload(ngo, tmp_path, "audited_financial_statements", "accounts-2025.pdf", t("Upload"))
    ngo.step("organisation-documents")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Send for verification")).click()
    assert t("Sent to the fund for verification. We will tell you when it is done.") in (
        page.inner_text("main")
    )
    ngo.step("sent-for-verification")

    # The fund manager checks the file and verifies the organisation.
    manager = cast.sign_in("fund_manager")
    manager.open("/organisations/")
    manager.step("organisations-to-verify")
    manager.page.locator("main").get_by_role("link", name=ORGANISATION).click()
    manager.page.wait_for_url(f"**{organisation_path}")
    manager.step("organisation-to-verify")
    manager.page.locator("input[name=risk_rating][value=low]").check()
    with manager.page.expect_navigation():
        manager.page.get_by_role("button", name=t("Verify"), exact=True).click()
    assert t("%(name)s is verified.", name=ORGANISATION) in manager.page.inner_text("main")
    manager.step("organisation-verified")

    # Amina starts an application to the open call, saves a first draft and leaves.
    ngo.open(organisation_path)
    ngo.step("organisation-verified-seen-by-ngo")
    ngo.page.locator("main a[href$='/calls/']").first.click()
    ngo.step("open-calls")
    ngo.page.locator("main a[href*='/calls/']").filter(has_text="2026").first.click()
    ngo.step("call")
    with ngo.page.expect_navigation():
        ngo.page.get_by_role("button", name=t("Start an application")).click()
    assert ngo.page.url.endswith("/sections/summary")
    application_path = ngo.page.url.removeprefix(live.url).removesuffix("/sections/summary")
    ngo.page.locator("#title").fill("Safe shelter and legal aid for survivors in Tambacounda")
    ngo.step("draft-summary")
    _save(ngo, then="stay")
    assert ngo.page.url.endswith("/sections/summary")
    ngo.sign_out()

    # She comes back later, finds the draft under "My applications" and completes it.
    ngo.sign_in(EMAIL, PASSWORD)
    ngo.open("/applications/")
    ngo.step("my-applications")
    ngo.page.locator(f"main a[href='{application_path}']").first.click()
    ngo.page.wait_for_url(f"**{application_path}")
    ngo.step("draft-overview")
    ngo.page.locator(f"main a[href='{application_path}/sections/summary']").first.click()
    page = ngo.page
    assert page.locator("#title").input_value().startswith("Safe shelter")
    page.locator("#summary").fill(
        "Emergency shelter, medical care and legal aid for 120 women and girls rescued from "
        "forced labour in gold mines, with a referral network of 8 partners."
    )
    page.locator("#language").select_option("fr" if lang == "fr" else "en")
    page.locator("#duration_months").fill("8")
    ngo.step("summary")
    _save(ngo)
    assert page.url.endswith("/sections/locations"), page.url
    page.locator("#countries-SN").check()
    page.locator("#locations").fill("Tambacounda, Kédougou")
    ngo.step("locations")
    _save(ngo)
    assert page.url.endswith("/sections/focus"), page.url
    for name in ("situations", "forms_of_exploitation", "assistance_types"):
        page.locator(f"input[name={name}]").first.check()
    ngo.step("focus")
    _save(ngo)
    assert page.url.endswith("/sections/beneficiaries"), page.url
    page.locator("input[name=target_groups]").first.check()
    page.locator("#target_groups_notes").fill("Referred by the labour inspectorate and partners.")
    page.locator("#people_female_adult").fill("80")
    page.locator("#people_female_child").fill("40")
    ngo.step("beneficiaries")
    _save(ngo)
    assert page.url.endswith("/sections/workplan"), page.url
    page.locator("#activities-0-description").fill("Shelter and medical care")
    page.locator("#activities-0-start_month").fill("1")
    page.locator("#activities-0-end_month").fill("8")
    page.locator("#activities-1-description").fill("Legal aid and accompaniment to court")
    page.locator("#activities-1-start_month").fill("2")
    page.locator("#activities-1-end_month").fill("8")
    ngo.step("workplan")
    _save(ngo)
    assert page.url.endswith("/sections/budget"), page.url
    page.locator("#lines-0-description").fill("Shelter rent")
    page.locator("#lines-0-quantity").fill("8")
    page.locator("#lines-0-unit_cost").fill("900")
    page.locator("#lines-1-description").fill("Lawyer's fees")
    page.locator("#lines-1-quantity").fill("40")
    page.locator("#lines-1-unit_cost").fill("150")
    # The totals follow the typing (app/static/js/applications.js).
    assert "13" in page.locator("#budget-total").inner_text()
    ngo.step("budget")
    _save(ngo)
    assert page.url.endswith("/sections/attachments"), page.url
    for kind, name in APPLICATION_DOCUMENTS:
        _upload(ngo, tmp_path, kind, name, t("Attach"))
    ngo.step("attachments")
    choice, seats = open_call_questions(live)
    page.locator(f"main a[href='{application_path}/sections/questions']").first.click()
    page.wait_for_url(f"**{application_path}/sections/questions")
    page.locator(f"input[name=q{choice}]").first.check()
    _save(ngo, then="stay")
    page.locator(f"#q{seats}").fill("3")
    ngo.step("call-questions")
    _save(ngo, then="stay")
    assert page.locator(f"#q{seats}").input_value() == "3"
    page.get_by_role("link", name=t("Review and submit")).click()
    page.wait_for_url(f"**{application_path}")
    ngo.step("review")
    # Check your answers: sending without the declaration is refused, next to the checkbox too.
    page.get_by_role("link", name=t("Submit the application")).click()
    page.wait_for_url(f"**{application_path}/submit")
    ngo.step("check-your-answers")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Submit the application")).click()
    refusal = t("Confirm the declaration to submit the application.")
    assert t("There is a problem") in page.locator("#error-summary").inner_text()
    assert refusal in page.locator("#declaration-error").inner_text()
    # The server's 422 is the answer asked for here; any other problem still fails the journey.
    problems = cast.recorder.problems
    problems[:] = [p for p in problems if not ("422" in p and p.endswith("/submit)"))]
    ngo.step("declaration-missing")
    page.locator("#declaration").check()
    with page.expect_navigation():
        page.get_by_role("button", name=t("Submit the application")).click()
    assert t(
        "Your application is submitted. The fund will tell you when it has been screened."
    ) in page.inner_text("main")
    ngo.step("submitted")

    # The fund manager asks a question; the application waits for the answer.
    question = "Please attach the partner agreement with the labour inspectorate."
    manager.open(application_path)
    manager.step("application-for-the-fund")
    form = manager.page.locator("form[action$='/request-information']")
    form.locator("textarea").fill(question)
    with manager.page.expect_navigation():
        form.get_by_role("button", name=t("Ask the organisation for information")).click()
    assert t("The question is sent; the application waits for the answer.") in (
        manager.page.inner_text("main")
    )
    manager.step("information-requested")

    # Amina reads the question, answers it, and submits the application again.
    ngo.open("/notifications/")
    ngo.step("notifications")
    ngo.open(application_path)
    assert question in ngo.page.inner_text("main")
    ngo.step("information-request-seen")
    form = ngo.page.locator("form[action$='/reply']")
    form.locator("textarea").fill("The agreement is signed; we attach it to the file today.")
    with ngo.page.expect_navigation():
        form.get_by_role("button", name=t("Send the answer")).click()
    ngo.step("answer-sent")
    ngo.page.get_by_role("link", name=t("Submit again")).click()
    ngo.page.wait_for_url(f"**{application_path}/submit")
    ngo.page.locator("#declaration").check()
    with ngo.page.expect_navigation():
        ngo.page.get_by_role("button", name=t("Submit again")).click()
    assert t(
        "Your application is submitted again. The fund will continue its review."
    ) in ngo.page.inner_text("main")
    ngo.step("submitted-again")
    with live.app.app_context():
        application = db.session.execute(
            sa.select(Application).where(Application.title.like("Safe shelter%"))
        ).scalar_one()
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.organisation.name == ORGANISATION
        assert [m.kind.value for m in application.messages] == [
            "information_request",
            "reply",
        ]
