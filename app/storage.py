"""Private storage for uploaded files: random names in a folder outside the web root.

UPLOAD_STORAGE names a local folder (the default, instance/uploads). Keys are random hex
strings; the original file name and type are kept in the database, never in the path, so a
hostile name can neither escape the folder nor collide with another file. An S3-compatible
backend for production would implement the same three methods.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

_KEY = re.compile(r"^[0-9a-f]{32}$")


class Storage(Protocol):
    def save(self, data: bytes) -> str: ...

    def path_of(self, key: str) -> Path: ...

    def delete(self, key: str) -> None: ...


class StorageConfigurationError(RuntimeError):
    """UPLOAD_STORAGE names a backend this build does not provide."""


class LocalStorage:
    """Files under ``root/<first two hex digits>/<key>``, readable by the app's user only."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write then rename, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def path_of(self, key: str) -> Path:
        return self._path(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def get_storage() -> Storage:
    """The storage configured for this app (UPLOAD_STORAGE)."""
    location = str(current_app.config["UPLOAD_STORAGE"])
    if "://" in location:
        raise StorageConfigurationError(
            f"UPLOAD_STORAGE={location!r}: only a local folder is supported in this build."
        )
    static = Path(current_app.static_folder or "").resolve()
    root = Path(location).resolve()
    if root == static or static in root.parents:
        raise StorageConfigurationError("UPLOAD_STORAGE must not be inside the static folder.")
    return LocalStorage(root)
