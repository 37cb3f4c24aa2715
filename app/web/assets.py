"""Static files light on slow connections: compressed, cached for a year, re-fetched on change.

An NGO on a 256 kbit/s line paid for Bootstrap on every page: uncompressed and re-checked each
time. Now:

* every ``url_for('static', filename=...)`` carries ``?v=<the file's hash>``, computed once at
  start-up, so a changed file has a new address and the browser never needs to re-check one;
* WhiteNoise answers ``/static/...`` before Flask with ``Cache-Control: max-age=31536000,
  public, immutable`` and the file's brotli or gzip copy when the browser takes it. The copies
  are made once per content (not per process) in a build folder outside the source tree;
* pages (HTML, JSON) are compressed by Flask-Compress; streamed answers (the CSV and XLSX
  exports) and already-compressed types are left as they are.

In development (``app.debug``) Flask's own static route serves the files, with its re-checks, and
the hash follows an edited file, so a change shows on the next reload.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_compress import Compress
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

ONE_YEAR = 365 * 24 * 3600
# Text that compresses; images, PDFs, XLSX (a zip) and CSV exports (streamed) are not listed.
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def install(app: Flask) -> None:
    """Versioned static addresses, compressed pages and, outside development, WhiteNoise."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    # A streamed answer (an export) is sent as it is made: never held back to be compressed.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    Compress(app)

    static = Path(str(app.static_folder))
    versions = StaticVersions(static, follow_edits=app.debug)
    app.url_defaults(versions.add_version)
    if app.debug:
        # After Compress(app): Flask runs the later-registered hook first.
        app.after_request(_compressible_static_file)
        return
    served = _compressed_copy(static, versions.digest)
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(served),
        prefix=app.static_url_path,
        max_age=ONE_YEAR,
        # Every link carries the content's hash (?v=), so any address is for one content only.
        immutable_file_test=lambda path, url: True,
        add_headers_function=_security_headers,
        allow_all_origins=False,
    )


class StaticVersions:
    """The short hash of each static file, added to its address as ``v``."""

    def __init__(self, root: Path, *, follow_edits: bool) -> None:
        self.root = root
        self.follow_edits = follow_edits
        self.hashes: dict[str, tuple[float, str]] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                self.hashes[path.relative_to(root).as_posix()] = _hash(path)
        self.digest = hashlib.sha256(
            "".join(f"{name}={h}" for name, (_, h) in self.hashes.items()).encode()
        ).hexdigest()[:16]

    def add_version(self, endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values:
            return
        name = values.get("filename")
        known = self.hashes.get(str(name))
        if known is None:
            return
        if self.follow_edits:
            path = self.root / str(name)
            if path.stat().st_mtime != known[0]:
                known = self.hashes[str(name)] = _hash(path)
        values["v"] = known[1]


def _compressible_static_file(response: Response) -> Response:
    """In development Flask streams static files from disk, which Flask-Compress leaves alone:
    `make run` sent 75 KB of CSS to an NGO on a slow line. Read into memory, it is compressed
    like a page (production serves the precompressed copies through WhiteNoise instead)."""
    if request.endpoint == "static" and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def _hash(path: Path) -> tuple[float, str]:
    return path.stat().st_mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _compressed_copy(static: Path, digest: str) -> Path:
    """The static folder with a .br and a .gz beside each text file, made once per content."""
    build = Path(os.environ.get("STATIC_BUILD_DIR") or Path(tempfile.gettempdir()) / "tfg-static")
    target = build / digest
    if target.is_dir():
        return target
    build.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=build))
    shutil.copytree(static, work, dirs_exist_ok=True)
    compressor = Compressor(quiet=True)
    for path in work.rglob("*"):
        if path.is_file() and compressor.should_compress(path.name):
            compressor.compress(str(path))
    try:
        work.rename(target)
    except OSError:  # another process made it first: same content
        shutil.rmtree(work, ignore_errors=True)
    return target


def _security_headers(headers: Any, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
