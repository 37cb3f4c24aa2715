"""Names people typed keep their own direction inside pages of the other one (app/web/display.py).

A Latin organisation name on an Arabic page, or an Arabic one on an English page, is isolated
in ``<bdi>``: without it the browser reorders the name with the punctuation and numbers around
it ("Safe Haven · APP-2026-0001" read backwards in a right-to-left line).
"""

from __future__ import annotations

import re

from app.applications.models import DueDiligenceStatus
from app.web.display import isolated
from tests.applications_support import fund_manager, ngo_organisation


def _choose(client, language: str) -> None:
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    client.post("/language", data={"language": language, "csrf_token": token[1] if token else ""})


def test_a_latin_name_on_an_arabic_page_is_isolated(client, sign_in):
    organisation = ngo_organisation(
        name="Safe Haven <Initiative>", status=DueDiligenceStatus.REGISTERED
    )
    sign_in(fund_manager())
    _choose(client, "ar")

    listing = client.get("/organisations/").get_data(as_text=True)
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)

    assert 'dir="rtl"' in listing
    assert "<bdi>Safe Haven &lt;Initiative&gt;</bdi>" in listing
    assert '<h1 class="h3"><bdi>Safe Haven &lt;Initiative&gt;</bdi></h1>' in page


def test_an_arabic_name_on_an_english_page_is_isolated(client, sign_in):
    name = "مبادرة الملاذ الآمن"
    organisation = ngo_organisation(name=name, status=DueDiligenceStatus.REGISTERED)
    sign_in(fund_manager())
    _choose(client, "en")

    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)

    assert 'dir="ltr"' in page
    assert f"<bdi>{name}</bdi>" in page


def test_nothing_typed_shows_nothing() -> None:
    assert isolated(None) == "" and isolated("") == ""
    assert isolated("A & B") == "<bdi>A &amp; B</bdi>"
