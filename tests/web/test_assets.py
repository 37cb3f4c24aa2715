"""Static files and pages light on slow connections (app/web/assets.py)."""

from __future__ import annotations

import re

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
