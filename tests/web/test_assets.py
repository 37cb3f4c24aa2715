"""Static files and pages light on slow connections (app/web/assets.py)."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_the_used_css_keeps_every_bootstrap_class_a_template_names():
    # bootstrap.used.min.css is made by `make css`; a class a template starts to use after it
    # was made would silently lose its look.
    full, used = _css_classes("bootstrap.min.css"), _css_classes("bootstrap.used.min.css")
    named: set[str] = set()
    for template in (page for folder in TEMPLATES for page in folder.rglob("*.html")):
        for value in re.findall(r'class="([^"]*)"', template.read_text()):
            named.update(re.sub(r"\{[{%].*?[}%]\}", " ", value).split())
            # Class names inside the template's expressions: 'text-bg-success' and the like.
            named.update(re.findall(r"'([a-z][\w-]*)'", value))

    missing = sorted(name for name in named & full if name not in used)

    assert not missing, f"run `make css`: {missing}"
