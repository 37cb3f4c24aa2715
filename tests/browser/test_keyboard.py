"""Keyboard only: a card gift and a whole grant application, with Tab, Enter, Space, the arrow
keys and typing, never the mouse; the focus is visible on every control it reaches."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.applications.models import (
    Application,
    ApplicationStatus,
    DueDiligenceStatus,
    RiskRating,
)
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.extensions import db
from devtools.seed.calls_and_applications import OPEN_CALL, DemoNgo, _organisation, _profile, _user
from tests.browser.conftest import journey_languages, open_call_questions

pytestmark = journey_languages

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EMAIL = "kwame.mensah@hope-volta.test"
PASSWORD = "Volta-keyboard-2026"


def _type_into(actor, selector: str, text: str) -> None:
    actor.tab_to(selector)
    actor.page.keyboard.press("Control+A")
    actor.page.keyboard.type(text)


def _choose(actor, selector: str, value: str) -> None:
    """Pick an option of a <select> from the keyboard: type the start of its label (the browser
    jumps there), then the arrow keys until it is chosen."""
    label = actor.page.evaluate(
        "([s, v]) => [...document.querySelector(s).options].find(o => o.value === v).text",
        [selector, value],
    )
    actor.tab_to(selector)
    # Typed characters outside plain ASCII are inserted as text, not key presses: stop there.
    prefix = re.match(r"[A-Za-z ]*", label).group(0)[:4]
    if prefix:
        actor.page.keyboard.type(prefix)
    state = (
        "([s, v]) => { const e = document.querySelector(s); return [e.selectedIndex, "
        "[...e.options].findIndex(o => o.value === v), e.value]; }"
    )
    for _ in range(300):
        current, target, chosen = actor.page.evaluate(state, [selector, value])
        if chosen == value:
            return
        actor.press("ArrowDown" if current < target else "ArrowUp")
    raise AssertionError(f"the arrow keys never chose {value!r} in {selector}")


def _press_and_wait(actor, key: str = "Enter") -> None:
    with actor.page.expect_navigation():
        actor.press(key)


def _save_and_continue(actor) -> None:
    actor.tab_to("main form button[name=then][value=next]")
    _press_and_wait(actor)


def test_a_card_gift_by_keyboard(cast, live, lang):
    donor = cast.visitor("donor")
    donor.open("/give")
    # The first Tab reaches the skip link, which takes the focus past the menus.
    donor.press("Tab")
    assert donor.focused(".skip-link"), donor.describe_focus()
    donor.assert_focus_visible()
    donor.press("Enter")
    assert donor.focused("main")
    donor.tab_to("input[name=amount]:checked")
    # Radio buttons: the arrow keys move the choice, to the next one the way the page reads
    # (to the left in Arabic).
    rtl = donor.page.evaluate("() => document.dir") == "rtl"
    donor.press("ArrowLeft" if rtl else "ArrowRight")
    assert donor.focused("#amount-1") and donor.page.locator("#amount-1").is_checked()
    donor.assert_focus_visible()
    _type_into(donor, "#name", "Kofi Boateng")
    _type_into(donor, "#email", "kofi@example.org")
    card = "#card-element input"
    donor.tab_to(f"{card}[placeholder=number]")
    donor.page.keyboard.type("4242424242424242")
    donor.tab_to(f"{card}[placeholder=exp_month]")  # localstripe's fields move on by themselves
    donor.page.keyboard.type("12")
    donor.tab_to(f"{card}[placeholder=exp_year]")
    donor.page.keyboard.type("30")
    donor.tab_to(f"{card}[placeholder=cvc]")
    donor.page.keyboard.type("123")
    donor.tab_to(f"{card}[placeholder=postal_code]")
    donor.page.keyboard.type("10115")
    donor.tab_to("#give-form button[type=submit]")
    donor.step("give-form-by-keyboard")
    donor.press("Enter")
    donor.page.wait_for_url(re.compile(r"/give/[^/]+/thanks$"))
    donor.page.locator("main a[href*='/receipts/r/']").wait_for(timeout=30_000)
    donor.step("thank-you")
    donor.tab_to("main a[href*='/receipts/r/']")
    _press_and_wait(donor)
    assert "Kofi Boateng" in donor.page.inner_text("main")
    donor.step("receipt")


def _verified_ngo(live, lang: str) -> tuple[int, list[str]]:
    """A verified NGO with its file complete, and its owner's login; returns the open call and
    the languages it accepts proposals in."""
    spec = DemoNgo(
        "Hope Volta",
        "GH",
        EMAIL,
        "Kwame Mensah",
        DueDiligenceStatus.VERIFIED,
        RiskRating.LOW,
        "RGD/CG/2014/7781",
        "Hope Volta Foundation",
        2014,
    )
    with live.app.app_context():
        manager = db.session.execute(
            sa.select(User).where(User.email == "fund_manager@demo.test")
        ).scalar_one()
        owner = _user(spec)
        owner.password_hash = generate_password_hash(PASSWORD)
        owner.email_confirmed_at = utcnow()
        owner.locale = lang
        organisation = _organisation(spec, owner)
        _profile(spec, organisation, owner, manager)
        call = db.session.execute(sa.select(Call).where(Call.reference == OPEN_CALL)).scalar_one()
        call_id, languages = call.id, list(call.languages)
        db.session.commit()
        return int(call_id), languages


def test_a_grant_application_by_keyboard(cast, live, lang, tmp_path: Path):
    call_id, proposal_languages = _verified_ngo(live, lang)
    ngo = cast.visitor("ngo")

    ngo.open("/login")
    _type_into(ngo, "#email", EMAIL)
    _type_into(ngo, "#password", PASSWORD)
    _press_and_wait(ngo)
    assert ngo.page.locator("#password").count() == 0, "the sign-in failed"

    # The menu, the call, and the button that starts the application.
    ngo.tab_to("nav a[href='/calls/']")
    _press_and_wait(ngo)
    ngo.tab_to(f"main a[href='/calls/{call_id}']")
    _press_and_wait(ngo)
    ngo.tab_to(f"main form[action$='/start/{call_id}'] button")
    _press_and_wait(ngo)
    assert ngo.page.url.endswith("/sections/summary"), ngo.page.url

    _type_into(ngo, "#title", "Safe houses along the Volta")
    _type_into(ngo, "#summary", "Shelter, care and legal aid for 60 children freed from fishing.")
    # The proposal is in the reader's language when the call accepts it, else in the call's
    # first language (the open call takes English, French and Spanish).
    _choose(ngo, "#language", lang if lang in proposal_languages else proposal_languages[0])
    _type_into(ngo, "#duration_months", "6")
    ngo.step("summary-by-keyboard")
    _save_and_continue(ngo)

    assert ngo.page.url.endswith("/sections/locations"), ngo.page.url
    # The filter box leaves a handful of countries to tab through (the reader's name for Ghana).
    ghana = ngo.page.inner_text("label[for=countries-GH]")
    ngo.tab_to("#countries-filter")
    ngo.page.keyboard.type(ghana)
    ngo.tab_to("#countries-GH", limit=10)
    ngo.press("Space")
    assert ngo.page.locator("#countries-GH").is_checked()
    _type_into(ngo, "#locations", "Kete Krachi, Yeji")
    _save_and_continue(ngo)

    assert ngo.page.url.endswith("/sections/focus"), ngo.page.url
    for name in ("situations", "forms_of_exploitation", "assistance_types"):
        ngo.tab_to(f"input[name={name}]")
        ngo.press("Space")
        assert ngo.page.locator(f"input[name={name}]").first.is_checked()
    _save_and_continue(ngo)

    assert ngo.page.url.endswith("/sections/beneficiaries"), ngo.page.url
    ngo.tab_to("input[name=target_groups]")
    ngo.press("Space")
    _type_into(ngo, "#target_groups_notes", "Boys and girls referred by the social welfare office.")
    _type_into(ngo, "#people_male_child", "35")
    _type_into(ngo, "#people_female_child", "25")
    _save_and_continue(ngo)

    assert ngo.page.url.endswith("/sections/workplan"), ngo.page.url
    _type_into(ngo, "#activities-0-description", "Shelter and care")
    _type_into(ngo, "#activities-0-start_month", "1")
    _type_into(ngo, "#activities-0-end_month", "6")
    _save_and_continue(ngo)

    assert ngo.page.url.endswith("/sections/budget"), ngo.page.url
    _type_into(ngo, "#lines-0-description", "Care workers")
    _type_into(ngo, "#lines-0-quantity", "6")
    _type_into(ngo, "#lines-0-unit_cost", "1500")
    ngo.step("budget-by-keyboard")
    _save_and_continue(ngo)

    assert ngo.page.url.endswith("/sections/attachments"), ngo.page.url
    for kind, name in [
        ("proposal", "proposal.pdf"),
        ("budget", "budget.pdf"),
        ("partner_declaration", "partners.pdf"),
        ("reference_letter", "reference-1.pdf"),
        ("reference_letter", "reference-2.pdf"),
    ]:
        path = tmp_path / name
        path.write_bytes(PDF)
        _choose(ngo, "#kind", kind)
        ngo.tab_to("#file")
        # The system's file dialog is outside the page (and headless Chromium opens none from a
        # key press): the file is given to the control that has the keyboard focus.
        ngo.page.locator("#file:focus").set_input_files(str(path))
        ngo.tab_to("main form[enctype='multipart/form-data'] button[type=submit]")
        _press_and_wait(ngo)
        assert name in ngo.page.inner_text("main")
    ngo.step("attachments-by-keyboard")

    application_id = ngo.page.url.split("/")[-3]
    # The call's own questions (devtools/seed/questions.py): "survivor-led?" (required, radio
    # buttons), then the number of board seats, asked once "Yes" is saved.
    choice, seats = open_call_questions(live)
    ngo.tab_to(f"aside a[href='/applications/{application_id}/sections/questions']")
    _press_and_wait(ngo)
    ngo.tab_to(f"input[name=q{choice}]")
    ngo.press("Space")
    assert ngo.page.locator(f"input[name=q{choice}]").first.is_checked()
    ngo.tab_to("main form button[name=then][value=stay]")
    _press_and_wait(ngo)
    _type_into(ngo, f"#q{seats}", "3")
    ngo.step("call-questions-by-keyboard")
    ngo.tab_to("main form button[name=then][value=stay]")
    _press_and_wait(ngo)
    assert ngo.page.locator(f"#q{seats}").input_value() == "3"

    ngo.tab_to(f"aside a[href='/applications/{application_id}']")  # "Review and submit"
    _press_and_wait(ngo)
    ngo.tab_to(f"aside a[href='/applications/{application_id}/submit']")
    ngo.step("review-by-keyboard")
    _press_and_wait(ngo)
    ngo.tab_to("#declaration")
    ngo.press("Space")
    ngo.tab_to("form[action$='/submit'] button")
    ngo.step("check-your-answers-by-keyboard")
    _press_and_wait(ngo)
    ngo.step("submitted-by-keyboard")
    with live.app.app_context():
        application = db.session.execute(
            sa.select(Application).where(Application.title == "Safe houses along the Volta")
        ).scalar_one()
        assert application.status == ApplicationStatus.SUBMITTED
