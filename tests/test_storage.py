"""Uploaded files: a rolled-back upload leaves no file behind, S3-compatible storage works
like the local folder, and every download of a private file is in the audit log."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.platform.extensions import db
from app.platform.storage import LocalStorage, S3Storage, StorageConfigurationError, get_storage
from tests.applications_support import PDF, applicant_of, ngo_organisation
from tests.web.organisations.test_organisation_pages import documents_of, upload


def test_a_file_saved_in_work_that_is_rolled_back_is_deleted(tmp_path):
    storage = LocalStorage(tmp_path)
    lost = storage.save(b"half-done upload")
    assert storage.path_of(lost).is_file()
    db.session.rollback()
    assert not storage.path_of(lost).exists()

    kept = storage.save(b"committed upload")
    db.session.commit()
    db.session.rollback()  # a later rollback does not touch what was committed
    assert storage.path_of(kept).read_bytes() == b"committed upload"


def test_missing_or_malformed_keys_open_as_nothing(tmp_path):
    storage = LocalStorage(tmp_path)
    assert storage.open("0" * 32) is None
    assert storage.open("../../etc/passwd") is None


@pytest.fixture
def s3(app, monkeypatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setitem(app.config, "UPLOAD_STORAGE", "s3://fund-uploads/documents")
    monkeypatch.setitem(app.extensions, "storage_s3_clients", {})
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="fund-uploads",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
        yield


def test_s3_storage_keeps_files_under_the_prefix_and_forgets_rolled_back_ones(s3):
    storage = get_storage()
    assert isinstance(storage, S3Storage)
    key = storage.save(PDF)
    db.session.commit()
    listed = boto3.client("s3", region_name="eu-west-1").list_objects_v2(Bucket="fund-uploads")
    assert [item["Key"] for item in listed["Contents"]] == [f"documents/{key}"]
    stored = storage.open(key)
    assert stored is not None and stored.read() == PDF

    lost = storage.save(b"never committed")
    db.session.rollback()
    assert storage.open(lost) is None
    storage.delete(key)
    assert storage.open(key) is None


def test_an_unknown_storage_scheme_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_STORAGE", "ftp://files.example.org/uploads")
    with pytest.raises(StorageConfigurationError):
        get_storage()


def test_documents_upload_to_s3_and_each_download_is_audited(s3, client, sign_in):
    organisation = ngo_organisation()
    owner = applicant_of(organisation)
    sign_in(owner)
    upload(client, organisation, PDF, "registration.pdf")
    (document,) = documents_of(organisation)
    response = client.get(f"/applications/documents/{document.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "file.downloaded")
    ).scalar_one()
    assert event.actor_id == owner.id
    assert (event.subject_type, event.subject_id) == ("documents", str(document.id))
    assert "registration.pdf" in event.summary
