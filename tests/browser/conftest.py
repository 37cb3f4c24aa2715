"""Browser tests: the user journeys in headless Chromium (Playwright), one live app per test.

How to write a journey (usage note)
-----------------------------------
Put the test in tests/browser/ (its tests are marked ``browser`` and ``real_commits`` for you) and
ask for ``cast``; the test runs once per language (``lang`` is "en", then "fr"; the journeys
and the keyboard run, marked ``pytestmark = journey_languages``, also in "ar" and "zh")::

    def test_the_fund_journey(cast, live):
        manager = cast.sign_in("fund_manager")        # a new browser window, signed in, in `lang`
        manager.open("/reviews")                      # path on the live app; fails unless 200
        manager.step("screening-queue")              # screenshot NN-screening-queue.png + axe
        manager.page.get_by_role("button", name=manager.t("Save")).click()
        manager.step("saved")

* ``cast.sign_in(login)`` signs in through the sign-in form as ``<login>@demo.test`` (the demo
  logins of ``devtools/seed/people.py``, password ``demo-password``), or as any e-mail with
  ``password=``, then picks the test's language with the language selector. ``cast.visitor()``
  is a signed-out window whose browser asks for the test's language (Accept-Language). Each
  person is an ``Actor``: ``.page`` (a Playwright ``Page``), ``.open(path)``, ``.step(name)``,
  ``.t(text)`` (the app's translation of an English message id, for finding buttons and links by
  name in French), ``.sign_out()``, ``.press(key)``/``.tab_to(selector)`` for keyboard-only runs.
* ``actor.step("name")`` saves ``build/screenshots/<test name>/<lang>/<NN>-name.png`` (NN counts
  the steps of the whole test, across actors) and runs axe-core (the copy bundled with the
  ``axe-playwright-python`` package, injected into the page; nothing comes from the internet). It
  fails on serious or critical violations, listing rule, help and the offending elements.
  ``step(name, axe=False)`` only takes the screenshot (e.g. mid-animation);
  ``check_axe(page, cast.axe_source)`` is the same check on its own. A failed test also leaves
  ``failed-<person>.png`` for each window.
* Every actor fails the test (at its next ``step``) on a JavaScript error, a console error (CSP
  refusals included), a failed page resource (4xx) or a server error (5xx) seen by its page.
* ``live`` is the app under test: ``live.url``; ``live.app`` (use ``with live.app.app_context():``
  to read or arrange data; commit what you arrange); ``live.mailbox`` (what the app e-mailed:
  reading it first sends what the app's outbox holds, as its worker would;
  ``live.mailbox.link(address)`` is the path of the link in the last message);
  ``live.wait_for(check, what)`` polls the database until ``check()`` is truthy (webhooks).
  Each test gets a fresh copy of a database migrated and loaded with ``flask demo`` once per
  run, its own server thread, and card gifts go to localstripe (started once per run), whose
  stand-in for Stripe.js the Give page loads. CSRF protection is on, as in production.
* The journeys run in the SQLite run of ``make test`` only (they are skipped, with the reason
  given, when TEST_DATABASE_URL points elsewhere). Chromium is Debian's ``/usr/bin/chromium``
  (``CHROMIUM`` overrides it); ``make test`` installs it. Set ``BROWSER_SLOW_MO=250`` and
  ``BROWSER_HEADED=1`` (with a display) to watch a run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_babel import force_locale, gettext
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.calls.models import Call
from app.platform.extensions import db
from app.questions.models import CallQuestion, QuestionKind
from devtools.seed import load_demo
from devtools.seed.calls_and_applications import OPEN_CALL
from devtools.seed.people import DEMO_PASSWORD, demo_email
from tests.live_support import LiveApp, running_localstripe
from tests.mail import Mailbox, Receiver, closed_port, deliver_outbox

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The flags Chromium needs on these machines: no sandbox as root, and no calls home (the
# network is closed, and a test must never depend on it).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LANGUAGES = ["en", "fr"]
# The journeys and the keyboard run also go right to left (Arabic) and through CJK text
# (Chinese); each module asks for them with ``pytestmark = journey_languages``.
JOURNEY_LANGUAGES = [*LANGUAGES, "ar", "zh"]
# ... and once more in French on a 375 px phone (issue 19: the journeys as NGOs and donors make
# them, on a phone): ``width`` is "desktop" unless a test asks otherwise.
journey_languages = pytest.mark.parametrize(
    "lang,width", [*((lang, "desktop") for lang in JOURNEY_LANGUAGES), ("fr", "phone")]
)
VIEWPORT = {"width": 1280, "height": 900}
PHONE_VIEWPORT = {"width": 375, "height": 800}
# localstripe accepts any test key; these name the browser tests in its logs.
STRIPE_SECRET_KEY = "sk_test_browser"
STRIPE_PUBLISHABLE_KEY = "pk_test_browser"
STRIPE_WEBHOOK_SECRET = "whsec_browser"
AXE_IMPACTS_FAILING = {"serious", "critical"}
# .ci/skips.py allows this skip on the PostgreSQL run only: keep the two in step.
RUN_ONCE = "browser journeys run once per `make test`, in its first (SQLite) run"
TIMEOUT_MS = 15_000


def _missing(what: str, how: str) -> None:
    """Outside CI a missing tool skips the browser tests (with the reason); in CI it fails."""
    if IN_CI:
        pytest.fail(f"{what} is missing; {how}")
    pytest.skip(f"{what} is missing ({how}): browser journeys skipped")


# --------------------------------------------------------------------------- run-wide services


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything here is a browser test, and the live app commits for real in its own database
    # (the usual rolled-back transaction would swap db.session under the server thread).
    here = Path(__file__).parent
    # The journeys test pages, not the database: one run per `make test` is enough, and the
    # live app always uses its own SQLite file. Skipped before any browser or server starts.
    database = os.environ.get("TEST_DATABASE_URL", "sqlite")
    once = pytest.mark.skip(reason=RUN_ONCE)
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.real_commits)
            if not database.startswith("sqlite"):
                item.add_marker(once)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file, migrated and loaded with the demo data once; each test gets a copy."""
    path = tmp_path_factory.mktemp("browser-template") / "demo.db"
    template = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "UPLOAD_STORAGE": str(tmp_path_factory.mktemp("browser-template-uploads")),
        },
    )
    with template.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


def _free_port() -> int:
    # localstripe listens on "::" (both families): find a port free on both.
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
        probe.bind(("::", 0))
        return int(probe.getsockname()[1])


def _http(method: str, url: str, form: dict[str, str] | None = None) -> int:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    # Loopback only: localstripe and the live server started by these fixtures.
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """localstripe (a fake Stripe from PyPI, the dev extra) on a free port, for the whole run."""
    if importlib.util.find_spec("localstripe") is None:
        _missing("localstripe", "pip install -e '.[dev]' (make test does)")
    log = tmp_path_factory.mktemp("browser-localstripe") / "localstripe.log"
    with running_localstripe(_free_port(), log) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if importlib.util.find_spec("playwright") is None:
        _missing("playwright", "pip install -e '.[dev]' (make test does)")
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM, "apt-get install -y chromium (make test does)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=not os.environ.get("BROWSER_HEADED"),
        slow_mo=float(os.environ.get("BROWSER_SLOW_MO", "0")),
    )
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if importlib.util.find_spec("axe_playwright_python") is None:
        _missing("axe-playwright-python", "pip install -e '.[dev]' (make test does)")
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the live app


@dataclass
class Live(LiveApp):
    mailbox: Mailbox


@pytest.fixture
def live(demo_database: Path, localstripe: str, tmp_path: Path, browser: Any) -> Iterator[Live]:
    """The app on its own copy of the demo database, served in a thread on a free port."""
    database = tmp_path / "live.db"
    shutil.copyfile(demo_database, database)
    # Reading the mailbox first sends what the live app's outbox holds, as its worker would.
    mailbox = Mailbox(deliver=lambda: deliver_outbox(app))
    smtp = Controller(Receiver(mailbox), hostname="127.0.0.1", port=closed_port())
    smtp.start()
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "UPLOAD_STORAGE": str(tmp_path / "uploads"),
            "WTF_CSRF_ENABLED": True,
            "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": STRIPE_PUBLISHABLE_KEY,
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "STRIPE_API_BASE": localstripe,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp.port,
            # A journey signs the same demo people in many times in a few minutes.
            "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
            "LOGIN_LIMIT_PER_IP": "1000 per minute",
            "RATELIMIT_ENABLED": True,
        },
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    site = f"127.0.0.1:{server.server_port}"
    app.config["SERVER_NAME"] = site
    app.config["PUBLIC_BASE_URL"] = f"http://{site}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # One webhook id for every test: each live app takes over localstripe's deliveries.
    status = _http(
        "POST",
        f"{localstripe}/_config/webhooks/browser-tests",
        form={"url": f"http://{site}/webhooks/stripe", "secret": STRIPE_WEBHOOK_SECRET},
    )
    assert status == 200, f"localstripe refused the webhook ({status})"
    try:
        yield Live(app=app, url=f"http://{site}", stripe_base=localstripe, mailbox=mailbox)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        smtp.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --------------------------------------------------------------------------- people


def check_axe(page: Any, axe_source: str) -> None:
    """Fail on serious or critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    results = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
        })))"""
    )
    failing = [v for v in results if v["impact"] in AXE_IMPACTS_FAILING]
    if failing:
        lines = [f"axe: {len(failing)} serious/critical violation(s) on {page.url}"]
        for violation in failing:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)


_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Recorder:
    """Numbers the steps of one test and keeps what went wrong in its pages."""

    folder: Path
    count: int = 0
    problems: list[str] = field(default_factory=list)

    def next_path(self, name: str) -> Path:
        self.count += 1
        slug = _SLUG.sub("-", name.lower()).strip("-")
        return self.folder / f"{self.count:02d}-{slug}.png"


class Actor:
    """One person at one browser window."""

    def __init__(self, cast: Cast, context: Any, name: str, *, check_problems: bool = True) -> None:
        self.cast = cast
        self.context = context
        self.name = name
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.check_problems = check_problems
        problems = cast.recorder.problems

        def page_url() -> str:
            return str(self.page.url)

        self.page.on("pageerror", lambda error: problems.append(f"{name}: JS error: {error}"))
        self.page.on(
            "console",
            lambda message: (
                problems.append(
                    f"{name}: console {message.type}: {message.text}"
                    f" ({message.location.get('url') or page_url()})"
                )
                if message.type == "error"
                else None
            ),
        )
        self.page.on(
            "response",
            lambda response: (
                problems.append(f"{name}: HTTP {response.status} {response.url}")
                if response.status >= 500
                or (response.status >= 400 and response.request.resource_type != "document")
                else None
            ),
        )

    @property
    def lang(self) -> str:
        return self.cast.lang

    def t(self, message: str, **variables: Any) -> str:
        """The app's translation of ``message`` in the test's language."""
        return self.cast.t(message, **variables)

    def money(self, minor: int, currency: str) -> str:
        return self.cast.money(minor, currency)

    def url(self, path: str) -> str:
        return self.cast.live.url + path

    def open(self, path: str, *, expect_status: int | None = 200) -> Any:
        response = self.page.goto(self.url(path))
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (
                f"{path} answered {response.status if response else 'nothing'}"
            )
        return response

    def step(self, name: str, *, axe: bool = True, full_page: bool = True) -> Path:
        """Screenshot (build/screenshots/<test>/<lang>/NN-name.png), then axe on the page."""
        self.page.wait_for_load_state("load")
        self.settle()
        path = self.cast.recorder.next_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        self.assert_no_problems()
        if axe:
            check_axe(self.page, self.cast.axe_source)
        return path

    def settle(self) -> None:
        """Let the page come to rest before it is judged: no hover state left by the last
        click, web fonts loaded, and transitions (an alert fading in) at their end state, so
        axe measures contrast on the colours a person ends up seeing."""
        self.page.mouse.move(0, 0)
        self.page.evaluate(
            """async () => {
                await document.fonts.ready;
                for (const animation of document.getAnimations()) {
                    try { animation.finish(); } catch (endless) { /* e.g. a spinner */ }
                }
            }"""
        )

    def assert_no_problems(self) -> None:
        problems = self.cast.recorder.problems
        if problems and self.check_problems:
            found = list(problems)
            problems.clear()
            pytest.fail("The page had problems:\n" + "\n".join(found), pytrace=False)

    def choose_language(self, lang: str | None = None) -> None:
        """Pick a language with the selector in the page header, as a person would."""
        lang = lang or self.lang
        if self.page.evaluate("() => document.documentElement.lang") == lang:
            return
        form = self.page.locator("form:has(#language-select)")
        form.locator("#language-select").select_option(lang)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert self.page.evaluate("() => document.documentElement.lang") == lang

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.open("/login")
        self.page.locator("#email").fill(email)
        self.page.locator("#password").fill(password)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").click()
        assert self.page.locator("#email").count() == 0, f"{email} could not sign in"
        self.choose_language()

    def sign_out(self) -> None:
        self.page.locator("header .dropdown-toggle").click()
        with self.page.expect_navigation():
            self.page.locator("form[action$='/logout'] button").click()

    # Keyboard only --------------------------------------------------------------------------

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def focused(self, selector: str) -> bool:
        return bool(self.page.evaluate("(s) => !!document.activeElement?.matches(s)", selector))

    def tab_to(self, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
        """Press Tab until the element matching ``selector`` has the focus, and check that the
        focus can be seen there (an outline or a box shadow)."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            if self.focused(selector):
                self.assert_focus_visible()
                return
            self.page.keyboard.press(key)
        pytest.fail(f"{key} never reached {selector} (focus stuck on {self.describe_focus()})")

    def describe_focus(self) -> str:
        return str(
            self.page.evaluate(
                "() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 200)"
                " : 'nothing'; }"
            )
        )

    def assert_focus_visible(self) -> None:
        visible = self.page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e || e === document.body) return false;
                const ring = (el) => {
                    const s = getComputedStyle(el);
                    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                        || s.boxShadow !== 'none';
                };
                const s = getComputedStyle(e);
                // A visually hidden control (Bootstrap's .btn-check radios): its label shows
                // the focus.
                const hidden = e.classList.contains('btn-check')
                    || (s.clip && s.clip.startsWith('rect(0'));
                if (hidden) return !!(e.labels && e.labels[0] && ring(e.labels[0]));
                return ring(e) || !!(e.labels && e.labels[0] && ring(e.labels[0]));
            }"""
        )
        assert visible, f"the focus cannot be seen on {self.describe_focus()}"


class Cast:
    """The people of one test, all in the test's language, and the test's screenshots."""

    def __init__(
        self,
        live: Live,
        browser: Any,
        lang: str,
        recorder: Recorder,
        axe_source: str,
        width: str = "desktop",
    ) -> None:
        self.live = live
        self.browser = browser
        self.lang = lang
        self.phone = width == "phone"
        self.recorder = recorder
        self.axe_source = axe_source
        self.actors: list[Actor] = []

    def t(self, message: str, **variables: Any) -> str:
        with self.live.app.test_request_context(), force_locale(self.lang):
            return str(gettext(message, **variables))

    def money(self, minor: int, currency: str) -> str:
        """An amount as the app writes it in the test's language ("USD 7 200,00")."""
        from app.web.display import money

        with self.live.app.test_request_context(), force_locale(self.lang):
            return money(minor, currency)

    def visitor(self, name: str = "visitor") -> Actor:
        """A new, signed-out browser window whose browser prefers the test's language."""
        context = self.browser.new_context(
            locale={"en": "en-GB", "fr": "fr-FR"}.get(self.lang, self.lang),
            viewport=PHONE_VIEWPORT if self.phone else VIEWPORT,
            is_mobile=self.phone,
            has_touch=self.phone,
            base_url=self.live.url,
        )
        actor = Actor(self, context, name)
        self.actors.append(actor)
        return actor

    def sign_in(self, login: str, *, password: str = DEMO_PASSWORD) -> Actor:
        """A new window signed in as ``login`` (a demo login, or an e-mail address)."""
        email = login if "@" in login else demo_email(login)
        actor = self.visitor(login)
        actor.sign_in(email, password)
        return actor

    def close(self) -> None:
        for actor in self.actors:
            actor.context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Lets the cast fixture see whether the test failed, to keep a picture of every window.
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def width() -> str:
    """The window's width: "desktop" (1280 px), or "phone" (375 px) where a test's
    parametrisation says so (journey_languages)."""
    return "desktop"


@pytest.fixture
def cast(
    request: pytest.FixtureRequest,
    live: Live,
    browser: Any,
    lang: str,
    width: str,
    axe_source: str,
) -> Iterator[Cast]:
    name = request.node.originalname.removeprefix("test_")
    folder = SCREENSHOTS / name / (lang if width == "desktop" else f"{lang}-{width}")
    shutil.rmtree(folder, ignore_errors=True)
    people = Cast(live, browser, lang, Recorder(folder), axe_source, width)
    try:
        yield people
        if request.node.stash.get(_FAILED, False):
            for actor in people.actors:
                with contextlib.suppress(Exception):
                    actor.page.screenshot(path=str(folder / f"failed-{actor.name}.png"))
    finally:
        people.close()


def open_call_questions(live: Any) -> tuple[int, int]:
    """The ids of the demo's open call's own questions a proposal answers
    (devtools/seed/questions.py): "survivor-led?" (required, radio buttons), then the number of
    board seats, asked once "Yes" is saved."""
    with live.app.app_context():
        choice, seats = db.session.scalars(
            sa.select(CallQuestion.id)
            .join(Call, Call.id == CallQuestion.call_id)
            .where(Call.reference == OPEN_CALL, CallQuestion.kind != QuestionKind.FILE)
            .order_by(CallQuestion.position)
        ).all()
    return choice, seats
