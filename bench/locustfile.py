"""The users of bench/scenarios.py, for Locust (headless). Not run alone: the scenario writes the
plan (sign-in cookies, applications, PaymentIntents) to the file named by BENCH_PLAN and names
the user classes of its day on Locust's command line.

Every user sends the request the app's own pages send (forms read from the page, with their CSRF
token), back to back: the scenario measures how much the server answers, not think time. A 409
(two people saving the same section) is a real edit conflict: counted apart, not as an error.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import time
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, constant, events, task

PLAN: dict[str, Any] = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115
CONFLICTS = {"count": 0}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@events.test_stop.add_listener
def _write_conflicts(**_kwargs: Any) -> None:
    with open(PLAN["conflicts_file"], "w") as out:
        out.write(str(CONFLICTS["count"]))


class _Form(HTMLParser):
    """The fields of the first form posting to ``action`` (or holding a CSRF token)."""

    def __init__(self, action: str | None) -> None:
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self._inside = self._done = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done:
            # A form without an action posts to its own page, which is asked for here.
            target = a.get("action", "").split("?")[0] or self.action
            self._inside = self.action is None or target == self.action
            return
        if not self._inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("file", "submit", "button"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.fields:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected]
            values = [v for v, _selected in self._options if v]
            if chosen or values:
                self.fields.append((self._select, (chosen or values)[0]))
            self._select = None
        elif tag == "form" and self._inside:
            self._inside, self._done = False, True


def form_fields(html: str, action: str | None = None) -> list[tuple[str, str]]:
    parser = _Form(action)
    parser.feed(html)
    return parser.fields


class _SignedIn(HttpUser):
    abstract = True
    wait_time = constant(0)
    cookies: list[str] = []
    _next = itertools.count()

    def on_start(self) -> None:
        self.client.headers["User-Agent"] = PLAN["user_agent"]
        # Always the cookie made for this user: the one a page sets back (a flash message) is
        # marked Secure, which a plain-HTTP client would not send back.
        self.client.headers["Cookie"] = self.cookies[next(self._next) % len(self.cookies)]

    def get(self, path: str, name: str | None = None) -> Any:
        # A redirect (to sign in, or away from a page refused) is a failure here.
        with self.client.get(
            path, name=name or path, allow_redirects=False, catch_response=True
        ) as page:
            if page.status_code != 200:
                page.failure(f"{page.status_code}")
            return page


class NgoUser(_SignedIn):
    """An NGO's writer on deadline day: opens a section of their draft, saves it, uploads."""

    weight = 5
    _drafts = itertools.count()

    def on_start(self) -> None:
        number = next(self._drafts)
        draft = PLAN["drafts"][number % len(PLAN["drafts"])]
        self.client.headers["User-Agent"] = PLAN["user_agent"]
        self.client.headers["Cookie"] = draft["cookie"]
        self.application = draft["application_id"]

    @task(6)
    def open_and_save_a_section(self) -> None:
        name = random.choice(PLAN["sections"])
        path = f"/applications/{self.application}/sections/{name}"
        page = self.get(path, "/applications/[id]/sections/[name]")
        if page.status_code != 200:
            return
        with self.client.post(
            path,
            data=form_fields(page.text, path),
            name="/applications/[id]/sections/[name] (save)",
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code == 409:
                CONFLICTS["count"] += 1
                saved.success()
            elif saved.status_code != 302:
                saved.failure(f"not saved: {saved.status_code}")

    @task(1)
    def upload(self) -> None:
        page_path = f"/applications/{self.application}/sections/attachments"
        page = self.get(page_path, "/applications/[id]/sections/attachments")
        if page.status_code != 200:
            return
        action = f"/applications/{self.application}/attachments"
        with self.client.post(
            action,
            data=form_fields(page.text, action),
            files={"file": ("budget-note.pdf", PDF, "application/pdf")},
            name="/applications/[id]/attachments (upload)",
            allow_redirects=False,
            catch_response=True,
        ) as sent:
            if sent.status_code != 302:
                sent.failure(f"not uploaded: {sent.status_code}")


class StaffUser(_SignedIn):
    """The fund's staff going through their work queues."""

    weight = 2

    def on_start(self) -> None:
        self.cookies = PLAN["staff"]
        super().on_start()

    @task(3)
    def screening_queue(self) -> None:
        self.get("/screening/")

    @task(3)
    def all_applications(self) -> None:
        self.get("/applications/all")

    @task(1)
    def dashboard(self) -> None:
        self.get("/dashboard")

    @task(2)
    def an_application(self) -> None:
        draft = random.choice(PLAN["submitted"])
        self.get(f"/applications/{draft}", "/applications/[id]")


class PublicVisitor(HttpUser):
    """Someone reading the fund's public page."""

    weight = 3
    wait_time = constant(0)

    @task
    def transparency(self) -> None:
        self.client.get("/transparency", allow_redirects=False)


class GiveVisitor(HttpUser):
    """A visitor of the Give page in a campaign."""

    weight = 6
    wait_time = constant(0)

    @task
    def give(self) -> None:
        self.client.get("/give", allow_redirects=False)


class StripeWebhook(HttpUser):
    """Stripe telling the app that a card gift was paid (the app asks Stripe again)."""

    weight = 2
    wait_time = constant(0)
    _sent = itertools.count()

    @task
    def payment_succeeded(self) -> None:
        # Each gift's event once; then Stripe's redeliveries (the app answers "duplicate").
        intent = PLAN["intents"][next(self._sent) % len(PLAN["intents"])]
        event = {
            "id": f"evt_bench_{intent}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": {"id": intent, "object": "payment_intent"}},
        }
        body = json.dumps(event).encode()
        moment = int(time.time())
        digest = hmac.new(
            PLAN["webhook_secret"].encode(), f"{moment}.".encode() + body, hashlib.sha256
        ).hexdigest()
        self.client.post(
            "/webhooks/stripe",
            data=body,
            headers={"Stripe-Signature": f"t={moment},v1={digest}"},
            name="/webhooks/stripe",
        )


class FinanceUser(_SignedIn):
    """Finance watching the contributions come in."""

    weight = 1

    def on_start(self) -> None:
        self.cookies = PLAN["finance"]
        super().on_start()

    @task
    def contributions(self) -> None:
        self.get("/donations/contributions")


class MinimalVisitor(HttpUser):
    """The reference: bench/minimal_app.py's one page, under the same server and client."""

    wait_time = constant(0)

    @task
    def minimal(self) -> None:
        self.client.get("/")
