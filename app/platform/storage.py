"""Private storage for uploaded files: random names, outside the web root.

UPLOAD_STORAGE names a local folder (the default, instance/uploads) or an S3-compatible bucket
(``s3://bucket/optional/prefix``; S3_ENDPOINT_URL points at MinIO, Ceph… and the usual AWS_*
variables carry the credentials). Keys are random hex strings; the original file name and type
are kept in the database, never in the key, so a hostile name can neither escape the folder
nor collide with another file.

A file is written before the database row that refers to it is committed. If that transaction
is rolled back instead, the file is deleted again (``forget_files_of_rolled_back_work``, a hook
on every session listed in app/bootstrap.py), so a failed upload leaves no orphan behind.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app, has_app_context  # noqa: TID251 - the file store's adapter
from sqlalchemy.orm import Session, SessionTransaction

from app.platform.extensions import db

_KEY = re.compile(r"^[0-9a-f]{32}$")
_SAVED = "storage_saved_files"


class Storage(Protocol):
    def save(self, data: bytes) -> str: ...

    def open(self, key: str) -> BinaryIO | None: ...

    def delete(self, key: str) -> None: ...


class StorageConfigurationError(RuntimeError):
    """UPLOAD_STORAGE names a location this app cannot use."""


def _new_key() -> str:
    return secrets.token_hex(16)


def _remember_for_rollback(storage: Storage, key: str) -> None:
    """Delete ``key`` again if the current database transaction is rolled back."""
    if has_app_context():
        session = db.session()
        if not session.in_transaction():
            session.begin()  # so that its end, commit or rollback, is seen
        session.info.setdefault(_SAVED, []).append((storage, key))


class LocalStorage:
    """Files under ``root/<first two hex digits>/<key>``, readable by the app's user only."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        key = _new_key()
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
        _remember_for_rollback(self, key)
        return key

    def path_of(self, key: str) -> Path:
        return self._path(key)

    def open(self, key: str) -> BinaryIO | None:
        try:
            return self._path(key).open("rb")
        except (ValueError, FileNotFoundError):
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects ``<prefix><key>`` in one bucket of an S3-compatible service."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _name(self, key: str) -> str:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.prefix + key

    def save(self, data: bytes) -> str:
        key = _new_key()
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)
        _remember_for_rollback(self, key)
        return key

    def open(self, key: str) -> BinaryIO | None:
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ValueError:
            return None
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise
        # Uploads are capped (UPLOAD_MAX_BYTES), so reading the object whole is fine.
        return io.BytesIO(found["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))


def _s3_storage(location: str) -> S3Storage:
    parts = urlsplit(location)
    if not parts.netloc:
        raise StorageConfigurationError(f"UPLOAD_STORAGE={location!r}: name the bucket.")
    clients = current_app.extensions.setdefault("storage_s3_clients", {})
    endpoint = current_app.config.get("S3_ENDPOINT_URL") or None
    client = clients.get(endpoint)
    if client is None:
        import boto3

        client = clients[endpoint] = boto3.client(
            "s3", endpoint_url=endpoint, region_name=current_app.config.get("S3_REGION") or None
        )
    return S3Storage(client, parts.netloc, parts.path)


def get_storage() -> Storage:
    """The storage configured for this app (UPLOAD_STORAGE)."""
    location = str(current_app.config["UPLOAD_STORAGE"])
    if location.startswith("s3://"):
        return _s3_storage(location)
    if "://" in location:
        raise StorageConfigurationError(
            f"UPLOAD_STORAGE={location!r}: use a local folder or an s3:// URL."
        )
    static = Path(current_app.static_folder or "").resolve()
    root = Path(location).resolve()
    if root == static or static in root.parents:
        raise StorageConfigurationError("UPLOAD_STORAGE must not be inside the static folder.")
    return LocalStorage(root)


def keep_files_of_committed_work(session: Session) -> None:
    session.info.pop(_SAVED, None)


def forget_files_of_rolled_back_work(session: Session, previous: SessionTransaction) -> None:
    # Only when the session's outermost transaction ends: a rolled-back savepoint inside it
    # may belong to work that still commits.
    if previous.parent is not None:
        return
    for storage, key in session.info.pop(_SAVED, []):
        try:
            storage.delete(key)
        except Exception:  # the rollback itself must not fail over a file
            current_app.logger.exception("could not delete stored file %s after a rollback", key)
