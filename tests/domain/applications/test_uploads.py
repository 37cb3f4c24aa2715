"""Uploaded files: judged by their content, limited in size, stored under random names, and
their names made harmless."""

from __future__ import annotations

import pytest

from app.applications.uploads import UploadRefused, inspect_upload, neutral_filename
from app.platform.storage import LocalStorage
from tests.applications_support import JPEG, PDF, PNG, office_file

LIMIT = 1024


@pytest.mark.parametrize(
    ("data", "name", "content_type", "stored_as"),
    [
        (PDF, "report.pdf", "application/pdf", "report.pdf"),
        (PNG, "photo.png", "image/png", "photo.png"),
        (JPEG, "scan.jpeg", "image/jpeg", "scan.jpg"),
        (
            office_file("docx"),
            "Annex A.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Annex A.docx",
        ),
        (
            office_file("xlsx"),
            "budget.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "budget.xlsx",
        ),
    ],
)
def test_accepted_types_are_recognised_by_their_content(data, name, content_type, stored_as):
    inspected = inspect_upload(data, name, max_bytes=LIMIT * 10)
    assert inspected.content_type == content_type
    assert inspected.filename == stored_as
    assert inspected.size_bytes == len(data)
    assert len(inspected.sha256) == 64


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "report.pdf"),  # a Windows program renamed
        (b"<html><script>alert(1)</script></html>", "statement.pdf"),
        (b"#!/bin/sh\nrm -rf /\n", "budget.docx"),
        (b"PK\x03\x04not really a zip", "annex.docx"),
        (office_file("docx")[:40], "cut.docx"),
    ],
    ids=["exe-as-pdf", "html-as-pdf", "script-as-docx", "broken-zip", "truncated-docx"],
)
def test_a_file_disguised_by_its_extension_is_refused(data, name):
    with pytest.raises(UploadRefused, match="not one we accept"):
        inspect_upload(data, name, max_bytes=LIMIT * 10)


def test_a_plain_zip_is_not_taken_for_an_office_document():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("payload.exe", "MZ")
    with pytest.raises(UploadRefused, match="not one we accept"):
        inspect_upload(buffer.getvalue(), "annex.docx", max_bytes=LIMIT * 10)


def test_documents_with_macros_are_refused():
    with pytest.raises(UploadRefused, match="macros"):
        inspect_upload(office_file("docx", macros=True), "annex.docm", max_bytes=LIMIT * 10)


def test_a_file_over_the_limit_is_refused_with_the_limit_named():
    with pytest.raises(UploadRefused) as refused:
        inspect_upload(PDF + b"0" * (2 * 1024 * 1024), "big.pdf", max_bytes=2 * 1024 * 1024)
    assert refused.value.message == (
        "The file is too large: the limit is 2 MB. Send a smaller file."
    )


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused, match="empty"):
        inspect_upload(b"", "nothing.pdf", max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\windows\\win.ini", "win.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" ends a path: the rest goes
        ("invoice\u202egpj.exe", "invoicegpj.pdf"),  # right-to-left override dropped
        ("name\x00.pdf\x00.exe", "name.pdf.pdf"),
        ("rapport financier été 2024.pdf", "rapport financier été 2024.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("...", "document.pdf"),
        ("", "document.pdf"),
        ("a" * 500 + ".pdf", "a" * 116 + ".pdf"),
        ("; rm -rf ~ `id` $(id).pdf", "rm -rf _ _id_ _(id).pdf"),
    ],
)
def test_hostile_file_names_are_neutralised(original, safe):
    assert neutral_filename(original, "pdf") == safe


def test_the_shown_extension_follows_the_real_type_not_the_claimed_one():
    assert inspect_upload(PDF, "budget.xlsx", max_bytes=LIMIT).filename == "budget.pdf"


def test_storage_uses_random_names_inside_its_folder(tmp_path):
    storage = LocalStorage(tmp_path)
    first, second = storage.save(PDF), storage.save(PDF)
    assert first != second
    path = storage.path_of(first)
    assert path.read_bytes() == PDF
    assert tmp_path in path.parents
    assert path.stat().st_mode & 0o077 == 0  # readable by the app's user only
    storage.delete(first)
    assert not path.exists()


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABCDEF", "0" * 31, "/abs/path"])
def test_storage_refuses_keys_that_are_not_its_own(tmp_path, key):
    with pytest.raises(ValueError):
        LocalStorage(tmp_path).path_of(key)
