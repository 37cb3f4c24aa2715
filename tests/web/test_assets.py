"""Static files and pages light on slow connections (app/web/assets.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BROTLI = {"Accept-Encoding": "br, gzip"}


def _stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def test_pages_link_static_files_by_their_content_hash(client):
    html = client.get("/give").get_data(as_text=True)

    links = _stylesheets(html) + re.findall(r'<script src="(/static/[^"]+)"', html)
    assert links
    assert all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links), links


def test_static_files_are_compressed_and_never_rechecked(client):
    html = client.get("/give").get_data(as_text=True)
    css = next(link for link in _stylesheets(html) if "bootstrap" in link)

    answer = client.get(css, headers=BROTLI)

    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "br"
    assert "immutable" in answer.headers["Cache-Control"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert int(answer.headers["Content-Length"]) < 30_000


def test_static_files_are_compressed_under_make_run_too(app):
    """`make run` (debug) serves static files through Flask, not WhiteNoise: compressed too."""
    from app import create_app

    development = create_app(
        "testing", overrides={"DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    css = next(
        link
        for link in _stylesheets(development.test_client().get("/give").get_data(as_text=True))
        if "bootstrap" in link
    )
    plain = development.test_client().get(css)

    answer = development.test_client().get(css, headers=BROTLI)

    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "br"
    assert len(answer.data) < len(plain.data) / 3
    assert len(plain.data) > 30_000


def test_pages_are_compressed_for_browsers_that_take_it(client):
    plain = client.get("/give")
    compressed = client.get("/give", headers=BROTLI)

    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "br"
    assert len(compressed.data) < len(plain.data) / 2


def test_a_file_missing_from_static_is_still_404(client):
    assert client.get("/static/css/missing.css").status_code == 404


STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
APP = STATIC.parent
# The shell's templates (app/templates) and each feature's (app/<feature>/templates).
TEMPLATES = [APP / "templates", *sorted(APP.glob("*/templates"))]
_CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _css_classes(name: str) -> set[str]:
    return set(_CLASS_SELECTOR.findall((STATIC / "vendor" / "bootstrap" / name).read_text()))


@pytest.mark.parametrize("subset", ["bootstrap.used.min.css", "bootstrap.used.rtl.min.css"])
def test_the_used_css_keeps_every_bootstrap_class_a_template_names(subset: str) -> None:
    # The subsets are made by `make css` (the second for right-to-left pages); a class a template
    # starts to use after they were made would silently lose its look.
    full, used = _css_classes("bootstrap.min.css"), _css_classes(subset)
    # Bootstrap's right-to-left build leaves .text-break out; app.css gives it back.
    used |= set(_CLASS_SELECTOR.findall((STATIC / "css" / "app.css").read_text()))
    named: set[str] = set()
    for template in (page for folder in TEMPLATES for page in folder.rglob("*.html")):
        for value in re.findall(r'class="([^"]*)"', template.read_text()):
            named.update(re.sub(r"\{[{%].*?[}%]\}", " ", value).split())
            # Class names inside the template's expressions: 'text-bg-success' and the like.
            named.update(re.findall(r"'([a-z][\w-]*)'", value))

    missing = sorted(name for name in named & full if name not in used)

    assert not missing, f"run `make css`: {missing}"


def test_both_subsets_keep_the_same_rules_mirrored() -> None:
    # Made from two builds of one Bootstrap version: a class kept on left-to-right pages and lost
    # on right-to-left ones (or the other way) means one file was not remade.
    ltr, rtl = _css_classes("bootstrap.used.min.css"), _css_classes("bootstrap.used.rtl.min.css")

    assert ltr - {"text-break"} == rtl  # the one utility Bootstrap leaves out of right to left
    rtl_css = (STATIC / "vendor" / "bootstrap" / "bootstrap.used.rtl.min.css").read_text()
    assert ".ms-auto{margin-right:auto!important}" in rtl_css
    assert "Bootstrap  v5.3.9" in rtl_css


def test_right_to_left_pages_say_so_and_link_the_mirrored_bootstrap(client):
    arabic = client.get("/give", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    english = client.get("/give", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in arabic
    assert any("bootstrap.used.rtl.min.css?v=" in link for link in _stylesheets(arabic))
    assert '<html lang="en" dir="ltr">' in english
    assert any("bootstrap.used.min.css?v=" in link for link in _stylesheets(english))
    assert not any("rtl" in link for link in _stylesheets(english))


@pytest.mark.parametrize(("code", "direction"), [("zh", "ltr"), ("ru", "ltr"), ("ar", "rtl")])
def test_each_new_language_can_be_chosen_from_the_switcher(client, code, direction):
    page = client.get("/give").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert f'<option value="{code}" lang="{code}"' in page

    client.post(
        "/language",
        data={"language": code, "next": "/give", "csrf_token": token[1] if token else ""},
    )
    chosen = client.get("/give").get_data(as_text=True)

    assert f'<html lang="{code}" dir="{direction}">' in chosen
    assert re.search(rf'<option value="{code}" lang="{code}"\s+selected>', chosen)
